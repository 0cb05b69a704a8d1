// SPDX-License-Identifier: Apache-2.0
// The journal: one file per container under <state_dir>/containers, written
// atomically, saying which devices the hook moved into which namespace. It is
// the only record poststop, status and recovery rely on.
#pragma once

#include "hook/plan/cni_attachment.hpp"
#include "hook/plan/netdevs.hpp"
#include "hook/state/ns_id.hpp"
#include "netlink/rdma.hpp"

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rnh {

struct Assignment {
    enum class Phase { moving, held };

    std::string container_id;
    Phase phase = Phase::moving;
    NsId netns;
    std::optional<std::string> netns_path;
    std::optional<int> pid;
    std::vector<nl::Device> devices;
    std::time_t since = 0;
    // The limits the start set: RLIMIT_MEMLOCK of the container's process, and
    // the lines it wrote to rdma.max in the cgroup directory rdma_cgroup.
    std::optional<std::uint64_t> memlock;
    std::optional<std::string> rdma_cgroup;
    std::vector<std::string> rdma_max;
    // The netdevs moved with the devices, with their settings in the host.
    std::vector<Netdev> netdevs;
    std::optional<CniAttachment> cni; // set for an attachment of the CNI plugin
};

std::string to_json(const Assignment& assignment);
Assignment assignment_from_json(std::string_view json, const std::string& what);
std::string_view phase_name(Assignment::Phase phase);

// A journal name: an OCI container id, or an attachment key (attachment_key()).
void check_journal_key(const std::string& key);

// A journal file that could not be read: corrupt, over the bound, of another version.
struct UnreadableEntry {
    std::string path;
    std::string error;
};

class Journal {
public:
    // No entry is larger: a hostile request cannot make one that every
    // command on the node must then read.
    static constexpr std::size_t max_entry_bytes = std::size_t{256} << 10;

    explicit Journal(std::string state_dir);

    // temp file, fsync, rename, fsync of the directory; an assignment over
    // max_entry_bytes is refused and nothing is written.
    void write(const Assignment& assignment) const;
    // The container's own entry; an error if it cannot be read.
    std::optional<Assignment> read(const std::string& container_id) const;
    void remove(const std::string& container_id) const;
    // Every entry that can be read. One that cannot is skipped, never fatal to
    // the others; it is added to `unreadable` when given (status lists them).
    std::vector<Assignment> all(std::vector<UnreadableEntry>* unreadable = nullptr) const;

private:
    std::string dir_;
};

} // namespace rnh
