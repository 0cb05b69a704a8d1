// SPDX-License-Identifier: Apache-2.0
// Bounded, symlink-safe reading of the small files the hook trusts least, and
// the one way files are replaced.
#pragma once

#include "base/fd.hpp"

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rnh {

// Reads all of fd; more than `limit` bytes is an error (never truncated).
std::string read_limited(int fd, std::size_t limit, const std::string& what);

// Reads the file at `path` (a kernel file in /proc or /sys) with read_limited.
std::string read_file(const std::string& path, std::size_t limit);

// The first line of a small sysfs attribute; empty when it cannot be read
// (gone meanwhile, or an attribute the kernel answers with an error, as an
// unused GID entry with EINVAL).
std::string read_first_line(const std::string& path);

// Opens `name` inside the directory `dir` for reading, refusing a symlink at
// the last component and anything that is not a regular file.
Fd open_regular_nofollow(const std::string& dir, const std::string& name);

// Creates the directory `path` (mode 0700) unless it exists; `what` names it
// in the error ("the state directory").
void make_private_dir(const std::string& path, const std::string& what);

// fsync of a directory, so that a rename or unlink in it survives a crash.
void sync_dir(const std::string& dir);

struct FileOwner {
    uid_t uid;
    gid_t gid;
};

// Replaces `path` with `data` so that readers see the old or the new file,
// never a part: a new temporary file beside it, fsync, rename, fsync of the
// directory. The temporary file is removed if any step fails. `owner` unset:
// the caller's.
void write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0600,
                       std::optional<FileOwner> owner = std::nullopt);

} // namespace rnh
