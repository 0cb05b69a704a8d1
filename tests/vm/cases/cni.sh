#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317,SC2034,SC2086 # jq variables and eval'd text (hd_conf too);
# functions called through check; $all split into device names on purpose
# The CNI plugin called as a runtime calls it (libcni, cnitool): the CNI_* variables and the
# network configuration on stdin, against `ip netns` namespaces. Every command and spec
# version; bad configurations (error object, nothing moved while the namespace is alive);
# hook and plugin refusing each other's devices; a chain after Debian's host-device; Podman's
# CNI backend; 16 ADDs and 16 DELs at once. The policy: without a settings file the lists are
# refused and deviceID and prevResult honoured (deviceID bounds the lists, prevResult's
# interface must be in CNI_NETNS); with one, allow, deny, max_devices per pod; GC of two
# networks of one name.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

plugin=$RNH_BIN_DIR/../lib/cni/rdma-netns
hook=$RNH_BIN_DIR/rdma-netns-hook
outdir=/tmp/out
mkdir -p "$outdir"
busybox syslogd -C64
all=$(for i in $(seq 0 15); do echo "rxe$i"; done)

# cni CMD NETNS IFNAME CONTAINERID CONF : the plugin with a runtime's environment and
# nothing else; its stdout in $outdir/out, its stderr in $outdir/err
# (and CNI_ARGS=$cni_args when that is set)
cni() {
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$1" CNI_NETNS="$2" CNI_IFNAME="$3" \
        CNI_CONTAINERID="$4" CNI_PATH=/usr/lib/cni ${cni_args:+"CNI_ARGS=$cni_args"} "$plugin" <<<"$5" \
        >"$outdir/out" 2>"$outdir/err"
}
# conf VERSION [JSON MEMBERS] : a network configuration of network "rdma"
conf() { printf '{"cniVersion":"%s","name":"rdma","type":"rdma-netns"%s}' "$1" "${2:+,$2}"; }
# is_json JQ [JQ OPTIONS...] : stdin is one JSON value, and it passes the jq test
# (jq -e alone passes an empty input)
is_json() {
    local filter=$1
    shift
    jq -se "length == 1 and (.[0] | $filter)" "$@" >/dev/null
}
# out JQ : the last stdout is one JSON value that passes the jq test
out() { is_json "$1" <"$outdir/out" || { cat "$outdir/out" "$outdir/err"; return 1; }; }
# fails_with CODE TEXT CMD... : CMD exits non-zero with an error object of CODE whose msg
# holds TEXT, and the same text is in the system log
fails_with() {
    local code=$1 text=$2
    shift 2
    ! "$@" || { echo "it succeeded"; return 1; }
    is_json '.code == $c and (.msg | contains($t)) and (.cniVersion | type == "string")' \
        --argjson c "$code" --arg t "$text" <"$outdir/out" || { cat "$outdir/out"; return 1; }
    busybox logread | grep ' daemon\.err rdma-netns\[[0-9]*\]: ' | grep -qF "$text" ||
        { echo "not in the system log:"; busybox logread | tail -n 3; return 1; }
}
# in_ns NS DEV... : DEVs are listed in NS, not in the host
in_ns() {
    local ns=$1 d
    shift
    for d in "$@"; do rdma_has "$d" "$ns" || { echo "$d is not in $ns"; return 1; }; done
    host_lacks "$@"
}
# empty_ns NS : NS (alive) lists no RDMA device
empty_ns() { [ -z "$(ip netns exec "$1" rdma dev show)" ] || { ip netns exec "$1" rdma dev show; return 1; }; }
# status_is JQ : `rdma-netns-hook status --json` succeeds and passes the jq test
status_is() {
    local st
    if st=$("$hook" status --json) && is_json "$1" <<<"$st"; then return 0; fi
    "$hook" status
    return 1
}
journal_empty() { status_is '.assignments == []'; }
# nothing_moved NS : every device home, NS empty, nothing recorded
nothing_moved() { all_home && empty_ns "$1" && journal_empty; }

cni STATUS "" "" "" "$(conf 1.1.0)" || true
check "STATUS in shared mode: not ready (code 50), says why" \
    out '.code == 50 and (.msg | contains("shared"))'
check "exclusive mode" set_exclusive
check "create rxe0..rxe15" rxe_setup 16
check "STATUS in exclusive mode: ready, no output" eval 'cni STATUS "" "" "" "$(conf 1.1.0)" && [ ! -s "$outdir/out" ]'
check "VERSION lists 0.3.1 0.4.0 1.0.0 1.1.0" eval 'cni VERSION "" "" "" "{\"cniVersion\":\"0.4.0\"}" &&
    out ".cniVersion == \"0.4.0\" and .supportedVersions == [\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]"'
for ns in a b c; do ip netns add "$ns"; done

# --- without a settings file: a network configuration is a tenant's input, its lists are refused
state=/run/rdma-netns-hook
# untouched DEV ID : no lock file for DEV, no journal entry for ID
untouched() {
    if [ -e "$state/locks/$1.lock" ] || [ -e "$state/containers/$2.json" ]; then
        ls -R "$state"
        return 1
    fi
}
# refused_list KEY VALUE : an ADD with the list KEY is refused (code 7), naming KEY and the
# setting that honours it; nothing moved, no lock file for rxe9, no journal entry
refused_list() {
    fails_with 7 "\"$1\" in a network configuration is not honoured on this host" \
        cni ADD /run/netns/a rdma0 pod-q "$(conf 1.0.0 "\"$1\":$2")" &&
        is_json '.details | contains($h) and contains("/etc/rdma-netns-hook/config.json")' \
            --arg h "\"cni_requests\": [\"deviceID\", \"$1\", \"prevResult\"]" <"$outdir/out" &&
        nothing_moved a && untouched rxe9 pod-q@rdma0
}
check "defaults: a \"devices\" list is refused, nothing moved" refused_list devices '["rxe9"]'
check "defaults: a \"netdevs\" list is refused, nothing moved" refused_list netdevs '["veth9"]'
check "defaults: a \"pci\" list is refused, nothing moved" refused_list pci '["0000:00:03.0"]'
check "rxn0 and rxn1 on eth0 and eth1" nic_rxe_setup
pci0=$(netdev_pci eth0)
pci1=$(netdev_pci eth1)
check "defaults: \"deviceID\" (eth0's PCI function) is honoured: rxn0 into a; DEL: home, journal clean" \
    eval 'cni ADD /run/netns/a rdma0 pod-p "$(conf 1.0.0 "\"deviceID\":\"$pci0\"")" && in_ns a rxn0 &&
        cni DEL /run/netns/a rdma0 pod-p "$(conf 1.0.0)" && rdma_has rxn0 && empty_ns a && journal_empty'
# from here on the lists are honoured (the checks below name devices)
# settings [POLICY_MEMBERS [MEMBERS]] : a settings file that honours every part
settings() {
    mkdir -p /etc/rdma-netns-hook
    printf '{"policy":{"cni_requests":["deviceID","prevResult","devices","netdevs","pci"]%s}%s}\n' \
        "${1:+,$1}" "${2:+,$2}" >/etc/rdma-netns-hook/config.json
}
settings

# --- ADD, CHECK, DEL, DEL again in every version
for v in 0.3.1 0.4.0 1.0.0 1.1.0; do
    check "$v ADD rxe0: an empty result of $v" eval 'cni ADD /run/netns/a rdma0 pod-a "$(conf $v "\"devices\":[\"rxe0\"]")" &&
        out ".cniVersion == \"$v\" and .dns == {}"'
    check "$v ADD: rxe0 is in a, not in the host" in_ns a rxe0
    check "$v ADD again: succeeds, rxe0 stays" eval 'cni ADD /run/netns/a rdma0 pod-a "$(conf $v "\"devices\":[\"rxe0\"]")" && in_ns a rxe0'
    check "$v CHECK: passes, no output" eval 'cni CHECK /run/netns/a rdma0 pod-a "$(conf $v "\"devices\":[\"rxe0\"]")" && [ ! -s "$outdir/out" ]'
    check "$v DEL: rxe0 home, journal clean" eval 'cni DEL /run/netns/a rdma0 pod-a "$(conf $v "\"devices\":[\"rxe0\"]")" && all_home && journal_empty'
    check "$v DEL again: success" cni DEL /run/netns/a rdma0 pod-a "$(conf "$v" '"devices":["rxe0"]')"
done
dev_conf=$(conf 1.0.0 '"devices":["rxe1"]')

# --- CHECK sees what the namespace sees
ip netns attach host 1 # a name for the initial namespace, for `rdma dev set ... netns`
cni ADD /run/netns/a rdma0 pod-a "$dev_conf"
ip netns exec a rdma dev set rxe1 netns host
check "CHECK after rxe1 left a behind the plugin's back: fails" \
    fails_with 100 "RDMA device rxe1 was moved but is not listed inside" cni CHECK /run/netns/a rdma0 pod-a "$dev_conf"
check "CHECK with another namespace than ADD's: fails" \
    fails_with 100 "is not the network namespace" cni CHECK /run/netns/b rdma0 pod-a "$dev_conf"
check "CHECK of an attachment never added: fails" \
    fails_with 100 "has no attachment of container pod-z" cni CHECK /run/netns/a rdma0 pod-z "$dev_conf"
check "DEL of it: success, journal clean" eval 'cni DEL /run/netns/a rdma0 pod-a "$dev_conf" && journal_empty && all_home'

# --- the device plugin's allocation ("deviceID") bounds the lists: they narrow it, never widen it
check "a \"pci\" list wider than \"deviceID\": refused (code 7), nothing moved (a alive)" \
    eval 'fails_with 7 "names $pci1, outside the device plugin'"'"'s allocation" \
        cni ADD /run/netns/a rdma0 pod-p "$(conf 1.0.0 "\"deviceID\":\"$pci0\",\"pci\":[\"$pci0\",\"$pci1\"]")" &&
        nothing_moved a'
check "a \"devices\" list naming rxn1 beside \"deviceID\" of rxn0: refused (code 100), nothing moved" \
    eval 'fails_with 100 "RDMA device rxn1 (PCI $pci1) is outside the device plugin'"'"'s allocation" \
        cni ADD /run/netns/a rdma0 pod-p "$(conf 1.0.0 "\"deviceID\":\"$pci0\",\"pci\":[\"$pci0\"],\"devices\":[\"rxn1\"]")" &&
        nothing_moved a'

# --- CHECK sees the netdevs that went with a device (with_netdevs in the settings file)
settings "" '"with_netdevs": true'
nd_conf=$(conf 1.0.0 '"devices":["rxn0"]')
check "with_netdevs: ADD moves rxn0 and eth0 into a" \
    eval 'cni ADD /run/netns/a rdma0 pod-n "$nd_conf" && in_ns a rxn0 && ip -n a link show eth0 >/dev/null'
check "with_netdevs: CHECK passes" cni CHECK /run/netns/a rdma0 pod-n "$nd_conf"
ip -n a link set eth0 netns host
check "CHECK after eth0 left a behind the plugin's back: fails" \
    fails_with 100 "network interface eth0 was moved but is not inside" cni CHECK /run/netns/a rdma0 pod-n "$nd_conf"
check "with_netdevs: DEL: rxn0 and eth0 home, journal clean" \
    eval 'cni DEL /run/netns/a rdma0 pod-n "$nd_conf" && rdma_has rxn0 && ip link show eth0 >/dev/null && journal_empty'
settings

# --- DEL with the namespace given as empty, or gone
cni ADD /run/netns/c rdma0 pod-c "$dev_conf"
check "DEL with an empty CNI_NETNS, namespace alive: rxe1 sent home from inside" \
    eval 'in_ns c rxe1 && cni DEL "" rdma0 pod-c "$dev_conf" && all_home && empty_ns c && journal_empty'
ip netns add d
cni ADD /run/netns/d rdma0 pod-d "$dev_conf"
ip netns del d
check "DEL with CNI_NETNS gone: success, rxe1 home (the kernel returned it), journal clean" \
    eval 'cni DEL /run/netns/d rdma0 pod-d "$dev_conf" && all_home && journal_empty'
ip netns add d
cni ADD /run/netns/d rdma0 pod-d "$dev_conf"
ip netns del d
check "DEL with an empty CNI_NETNS, namespace gone: success, rxe1 home, journal clean" \
    eval 'cni DEL "" rdma0 pod-d "$dev_conf" && all_home && journal_empty'
ip netns add r
cni ADD /run/netns/r rdma0 pod-r "$dev_conf"
ip netns del r
check "recover: an attachment whose namespace is gone is released, the journal clean" \
    eval '"$hook" recover | grep -qx "recovered container pod-r@rdma0 (its network namespace is gone)" &&
        all_home && journal_empty'

# --- GC releases only the attachments of its own network, by name and configuration, that the
# runtime does not list; A and B are two networks of the name rdma
conf_a=$(conf 1.1.0 '"devices":["rxe0"]')
conf_b=$(conf 1.1.0 '"devices":["rxe1"]')
cni ADD /run/netns/a rdma0 pod-a "$conf_a"
cni ADD /run/netns/b rdma0 pod-b "$conf_b"
cni ADD /run/netns/c rdma0 pod-c "$(printf '{"cniVersion":"1.1.0","name":"other","type":"rdma-netns","devices":["rxe2"]}')"
check "status shows the CNI attachments with their network" \
    status_is '[.assignments[] | .container_id + " " + .cni.network] ==
        ["pod-a@rdma0 rdma", "pod-b@rdma0 rdma", "pod-c@rdma0 other"]'
check "status says a CNI attachment gets no limits, and where pods get them" \
    eval '"$hook" status | grep -qF "limits: none (CNI attachment; use rdma-netns-runtime for pod limits)"'
# gc CONF_MEMBERS VALID : GC of the network rdma whose configuration has CONF_MEMBERS
gc() { cni GC "" "" "" "$(conf 1.1.0 "$1,\"cni.dev/valid-attachments\":$2")"; }
check "GC of B with pod-a listed: success" gc '"devices":["rxe1"]' '[{"containerID":"pod-a","ifname":"rdma0"}]'
check "GC: pod-b's rxe1 home; pod-a's rxe0 and the other network's rxe2 stay" \
    eval 'rdma_has rxe1 && in_ns a rxe0 && in_ns c rxe2 &&
        status_is "[.assignments[].container_id] == [\"pod-a@rdma0\", \"pod-c@rdma0\"]"'
cni ADD /run/netns/b rdma0 pod-b "$conf_b"
check "GC of B listing nothing: pod-b's rxe1 home; pod-a of A, same name, unlisted, keeps rxe0 (a alive)" \
    eval 'gc "\"devices\":[\"rxe1\"]" "[]" && rdma_has rxe1 && in_ns a rxe0 && in_ns c rxe2 &&
        status_is "[.assignments[].container_id] == [\"pod-a@rdma0\", \"pod-c@rdma0\"]"'
entry=$state/containers/pod-a@rdma0.json
jq 'del(.cni.config_id)' "$entry" >"$entry.new" && mv "$entry.new" "$entry"
check "GC of A listing nothing: pod-a's entry without a configuration identity (an earlier release's) stays" \
    eval 'gc "\"devices\":[\"rxe0\"]" "[]" && in_ns a rxe0 && in_ns c rxe2'
check "audit of the attachment pod-a@rdma0: it reaches rxe0 and nothing else" \
    eval '"$hook" audit pod-a@rdma0 >"$outdir/audit" || { cat "$outdir/audit"; false; }'
check "GC without cni.dev/valid-attachments: refused (code 7), nothing released" \
    eval 'fails_with 7 "valid-attachments" cni GC "" "" "" "$(conf 1.1.0)" && in_ns a rxe0'

# --- a device held by the hook is refused to the plugin, and the other way round
unshare -n sleep 3600 &
holder=$!
make_bundle /tmp/cb >/dev/null
state() { printf '{"ociVersion":"1.0.2","id":"%s","status":"creating","pid":%s,"bundle":"/tmp/cb","annotations":{"rdma.netns/devices":"%s"}}' "$@"; }
check "hook prestart: rxe3 into a container" eval 'state hc $holder rxe3 | "$hook" prestart'
check "ADD of the hook's rxe3: refused, names the container, nothing moved" \
    eval 'fails_with 100 "RDMA device rxe3 is held by container hc" cni ADD /run/netns/b rdma0 pod-b "$(conf 1.0.0 "\"devices\":[\"rxe3\"]")" &&
        empty_ns b && nsenter -t $holder -n rdma dev show | grep -q rxe3'
check "hook prestart for the plugin's rxe0: refused, names the attachment" \
    eval '! state hc2 $holder rxe0 | "$hook" prestart 2>"$outdir/hook.err" && grep -q "rxe0 is held by container pod-a@rdma0" "$outdir/hook.err" && in_ns a rxe0'
check "ADD of pod-a's rxe0 for another pod: refused" \
    fails_with 100 "RDMA device rxe0 is held by container pod-a@rdma0" cni ADD /run/netns/b rdma0 pod-b "$(conf 1.0.0 '"devices":["rxe0"]')"
printf '{"ociVersion":"1.0.2","id":"hc","status":"stopped","bundle":"/tmp/cb"}' | "$hook" poststop
kill "$holder"
cni DEL "" rdma0 pod-a "$(conf 1.1.0)"
cni DEL "" rdma0 pod-c "$(conf 1.1.0)"
check "all home, journal clean" eval 'all_home && journal_empty'

# --- the settings' allow, deny and max_devices apply to the plugin as to the hook; max_devices
# counts what the pod holds: its network namespace's and its K8S_POD_UID's attachments
settings '"allow":["rxe*"],"deny":["rxe7"],"max_devices":1'
check "allow: rxn1, which no allow rule matches, refused; nothing moved (b alive)" \
    eval 'fails_with 100 "RDMA device rxn1 (PCI $pci1) is refused by the policy: no allow rule matches it" \
        cni ADD /run/netns/b rdma0 pod-b "$(conf 1.0.0 "\"devices\":[\"rxn1\"]")" && rdma_has rxn1 && nothing_moved b'
check "deny: rxe7 refused; nothing moved" \
    eval 'fails_with 100 "RDMA device rxe7 is refused by the policy: it matches the deny rule \"rxe7\"" \
        cni ADD /run/netns/b rdma0 pod-b "$(conf 1.0.0 "\"devices\":[\"rxe7\"]")" && nothing_moved b'
pod_m='K8S_POD_NAMESPACE=t;K8S_POD_NAME=m;K8S_POD_UID=uid-m'
other_net() { printf '{"cniVersion":"1.0.0","name":"other","type":"rdma-netns","devices":["%s"]}' "$1"; }
check "max_devices 1: pod m's first attachment takes rxe5 into b" \
    eval 'cni_args=$pod_m cni ADD /run/netns/b rdma0 pod-m "$(conf 1.0.0 "\"devices\":[\"rxe5\"]")" && in_ns b rxe5'
check "max_devices 1: a second attachment in b (no pod UID) refused, the namespace would hold 2; rxe6 home" \
    eval 'fails_with 100 "would hold 2 RDMA devices; the policy allows at most 1" \
        cni ADD /run/netns/b rdma1 pod-m "$(other_net rxe6)" && rdma_has rxe6 && in_ns b rxe5'
check "max_devices 1: an attachment of pod m's UID in c refused, the pod would hold 2; rxe6 home, c (alive) empty" \
    eval 'cni_args=$pod_m fails_with 100 "would hold 2 RDMA devices; the policy allows at most 1" \
        cni ADD /run/netns/c rdma1 pod-n "$(other_net rxe6)" && rdma_has rxe6 && empty_ns c && in_ns b rxe5'
check "max_devices 1: another pod's attachment in c takes rxe6" \
    eval 'cni_args="K8S_POD_UID=uid-n" cni ADD /run/netns/c rdma1 pod-n "$(other_net rxe6)" && in_ns c rxe6'
cni DEL "" rdma0 pod-m "$(conf 1.0.0)"
cni DEL "" rdma1 pod-n "$(conf 1.0.0)"
check "policy: all home, journal clean" eval 'all_home && journal_empty'
settings

# --- bad configurations: the error object, the log line, nothing moved (b is alive)
check "unknown device: code 100, nothing moved" eval 'fails_with 100 "no RDMA device named \"nosuch\"" \
    cni ADD /run/netns/b rdma0 pod-b "$(conf 1.0.0 "\"devices\":[\"rxe0\",\"nosuch\"]")" && nothing_moved b'
check "deviceID and a list that disagree: code 7, nothing moved" eval 'fails_with 7 "disagree" \
    cni ADD /run/netns/b rdma0 pod-b "$(conf 1.0.0 "\"deviceID\":\"0000:00:03.0\",\"devices\":[\"rxe0\"]")" && nothing_moved b'
check "malformed JSON: code 6, nothing moved" eval 'fails_with 6 "is not valid JSON" \
    cni ADD /run/netns/b rdma0 pod-b "{\"cniVersion\": \"1.0.0\", \"devices\": [" && nothing_moved b'
check "cniVersion 0.2.0: code 1" \
    fails_with 1 'cniVersion "0.2.0" is not supported' cni ADD /run/netns/b rdma0 pod-b "$(conf 0.2.0 '"devices":["rxe0"]')"
check "no CNI_NETNS for ADD: code 4" \
    fails_with 4 "CNI_NETNS is not set" cni ADD "" rdma0 pod-b "$(conf 1.0.0 '"devices":["rxe0"]')"
check "no request and no prevResult: code 7" \
    fails_with 7 "names no RDMA device and has no prevResult" cni ADD /run/netns/b rdma0 pod-b "$(conf 1.0.0)"
check "create siw0, which the kernel refuses to move" siw_setup
check "rxe0 and siw0, siw0 refused by the kernel: code 100, rxe0 brought back, nothing moved" \
    eval 'fails_with 100 "siw0" cni ADD /run/netns/b rdma0 pod-b "$(conf 1.0.0 "\"devices\":[\"rxe0\",\"siw0\"]")" && nothing_moved b'

# --- a chain: host-device moves eth0 into the pod as net1, rdma-netns derives rxn0 from it
# (no settings file: prevResult is honoured by default)
rm /etc/rdma-netns-hook/config.json
ip netns add chain
hd_conf='{"cniVersion":"1.0.0","name":"chain","type":"host-device","device":"eth0"}'
check "host-device ADD moves eth0 into the pod as net1" eval 'cni_hd() { env -i CNI_COMMAND=$1 CNI_NETNS=/run/netns/chain CNI_IFNAME=net1 \
        CNI_CONTAINERID=pod-h CNI_PATH=/usr/lib/cni /usr/lib/cni/host-device <<<"$hd_conf"; } &&
    cni_hd ADD >"$outdir/hd.json" && ip netns exec chain ip link show net1 >/dev/null'
chain_conf=$(jq -c '{cniVersion: "1.0.0", name: "chain", type: "rdma-netns", prevResult: .}' "$outdir/hd.json" 2>/dev/null || echo '{}')
# a forged prevResult: host-device's result, its interface said to be in b
forged=$(jq -c '{cniVersion: "1.0.0", name: "chain", type: "rdma-netns",
    prevResult: (.interfaces |= map(if .sandbox then .sandbox = "/run/netns/b" else . end))}' "$outdir/hd.json" 2>/dev/null || echo '{}')
check "a prevResult whose interface is not in CNI_NETNS: refused, naming it; rxn0 stays home, b (alive) empty" \
    eval 'fails_with 100 "the interface net1 of prevResult is not in CNI_NETNS /run/netns/b" \
        cni ADD /run/netns/b net1 pod-f "$forged" && rdma_has rxn0 && empty_ns b && journal_empty'
ip -n b link add net1 type dummy
check "a prevResult whose interface in CNI_NETNS has another MAC: refused, naming both; rxn0 stays home" \
    eval 'fails_with 100 "the interface net1 in CNI_NETNS /run/netns/b has MAC" \
        cni ADD /run/netns/b net1 pod-f "$forged" && rdma_has rxn0 && empty_ns b && journal_empty'
ip -n b link del net1
check "rdma-netns ADD, no request, host-device's result as prevResult: rxn0 moved" \
    eval 'cni ADD /run/netns/chain net1 pod-h "$chain_conf" && in_ns chain rxn0 &&
        is_json ". == \$hd[0]" --slurpfile hd "$outdir/hd.json" <"$outdir/out"'
check "the result is host-device's, unchanged" eval 'is_json ". == \$hd[0]" --slurpfile hd "$outdir/hd.json" <"$outdir/out"'
check "rxn1 (on eth1, still in the host) did not move" rdma_has rxn1
check "CHECK of the chain's attachment" cni CHECK /run/netns/chain net1 pod-h "$chain_conf"
check "DEL in reverse: rdma-netns, then host-device; rxn0 and eth0 home" \
    eval 'cni DEL /run/netns/chain net1 pod-h "$chain_conf" && rdma_has rxn0 &&
        env -i CNI_COMMAND=DEL CNI_NETNS=/run/netns/chain CNI_IFNAME=net1 CNI_CONTAINERID=pod-h CNI_PATH=/usr/lib/cni \
            /usr/lib/cni/host-device <<<"$hd_conf" && ip link show eth0 >/dev/null && journal_empty'

# --- Podman 4.3.1 with its CNI backend and a conflist
settings
mkdir -p /etc/containers /etc/cni/net.d /opt/cni/bin
cp "$plugin" /opt/cni/bin/
printf '[network]\nnetwork_backend = "cni"\n' >/etc/containers/containers.conf
printf '{"cniVersion":"1.0.0","name":"rdmanet","plugins":[{"type":"rdma-netns","devices":["rxe4"]}]}\n' \
    >/etc/cni/net.d/rdmanet.conflist
printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
    >/tmp/storage.conf
export CONTAINERS_STORAGE_CONF=/tmp/storage.conf
rootfs=/tmp/podman-rootfs
mkdir -p "$rootfs"/{usr,proc,sys,dev,tmp,out}
for d in bin sbin lib lib64; do [ -L "/$d" ] && ln -s "$(readlink "/$d")" "$rootfs/$d"; done
check "podman uses CNI" eval '[ "$(podman info --format "{{.Host.NetworkBackend}}")" = cni ]'
check "podman run --network rdmanet: inside, rdma dev lists rxe4 only" \
    eval 'podman run --rm --network rdmanet --cgroup-manager=cgroupfs --runtime crun -v /usr:/usr:ro \
        --rootfs "$rootfs" /bin/sh -c "rdma dev show" >"$outdir/podman.out" 2>&1 &&
        grep -q ": rxe4:" "$outdir/podman.out" && [ "$(grep -c "^[0-9]*: " "$outdir/podman.out")" = 1 ] ||
        { cat "$outdir/podman.out"; false; }'
check "after the container, rxe4 is home and the journal clean" eval 'all_home && journal_empty'

# --- 16 ADDs at once, 16 devices into 16 namespaces, then 16 DELs at once
for i in $(seq 0 15); do ip netns add "p$i"; done
# at_once CMD : CMD for pods 0..15 in parallel; succeeds when all 16 did
at_once() {
    local i pids=() bad=0
    for i in $(seq 0 15); do
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$1" CNI_NETNS="/run/netns/p$i" CNI_IFNAME=rdma0 \
            CNI_CONTAINERID="pod$i" "$plugin" <<<"$(conf 1.1.0 "\"devices\":[\"rxe$i\"]")" >"$outdir/p$i.out" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || bad=$((bad + 1)); done
    [ "$bad" -eq 0 ] || { echo "$bad of 16 failed"; cat "$outdir"/p*.out; return 1; }
}
# timed CMD : at_once CMD as a check, and how long the 16 took (a figure, not a check)
timed() {
    local t0
    t0=$(date +%s%N)
    check "16 ${1}s at once: all succeed" at_once "$1"
    echo "# 16 ${1}s at once took $((($(date +%s%N) - t0) / 1000000)) ms"
}
timed ADD
check "16 ADDs: each device in its namespace" eval 'for i in $(seq 0 15); do in_ns p$i rxe$i || exit 1; done'
timed DEL
check "16 DELs: all home, journal clean" eval 'all_home && journal_empty'
check "invariant: every device home or held by a live container in the journal" invariant "$hook" $all
finish
