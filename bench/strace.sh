# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Sourced by the guest scripts that read `strace -f -ttt -T` logs (profile.sh, cni-profile.sh).

# strace_parts FILE [NAME] : one log's parts on one line, times in ms:
#   total    the first call to the last return
#   start    to the openat of a file NAME (the program's configuration; 0 without NAME)
#   confine  the first seccomp(), or prctl() of no_new_privs or of the filter, to the
#            filter's installation
#   netlink setns fsync   the time inside sendto/sendmsg/recvfrom/recvmsg, setns, fsync
#   calls threads seccomp prctl   system calls made, threads started, and of those calls
strace_parts() {
    awk -v name="${2:-}" '
    function dur(line) { return match(line, /<[0-9.]+>$/) ? substr(line, RSTART + 1, RLENGTH - 2) : 0 }
    {
        t = $2; call = $3; sub(/\(.*/, "", call)
        resumed = $3 ~ /^<\.\.\./
        if (resumed) call = $4
        if (NR == 1) first = t
        last = t + dur($0)
        if (resumed || call ~ /^\+\+\+|^---/) next
        calls++
        if (name != "" && !start && call == "openat" && (index($0, "\"" name "\"") || index($0, "/" name "\"")))
            start = t - first
        if (call == "seccomp" || (call == "prctl" && $0 ~ /PR_SET_NO_NEW_PRIVS|PR_SET_SECCOMP/)) {
            if (!c0) c0 = t
            c1 = t + dur($0)
        }
        if (call == "seccomp") seccomp++
        if (call == "prctl") prctl++
        if (call ~ /^(sendto|sendmsg|recvfrom|recvmsg)$/) netlink += dur($0)
        if (call == "setns") setns += dur($0)
        if (call == "fsync") fsync += dur($0)
        if (call == "clone" && $0 ~ /CLONE_THREAD/) threads++
    }
    END {
        printf "%.1f %.1f %.1f %.1f %.1f %.1f %d %d %d %d\n", (last - first) * 1000, start * 1000,
            (c1 - c0) * 1000, netlink * 1000, setns * 1000, fsync * 1000, calls, threads, seccomp, prctl
    }' "$1"
}

# strace_counts FILE : the system calls of one log by count, most frequent first, on one line
strace_counts() {
    awk '$3 !~ /^<\.\.\./ { n = $3; sub(/\(.*/, "", n); c[n]++ } END { for (n in c) print c[n], n }' "$1" |
        sort -rn | tr '\n' ' ' | sed 's/ $/\n/'
}

# median : of the numbers on stdin, one a line
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
