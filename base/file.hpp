// Bounded, symlink-safe reading of the small files the hook trusts least.
#pragma once

#include "base/fd.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace rnh {

// Reads all of fd; more than `limit` bytes is an error (never truncated).
std::string read_limited(int fd, std::size_t limit, const std::string& what);

// Reads the file at `path` (a kernel file in /proc or /sys) with read_limited.
std::string read_file(const std::string& path, std::size_t limit);

// Opens `name` inside the directory `dir` for reading, refusing a symlink at
// the last component and anything that is not a regular file.
Fd open_regular_nofollow(const std::string& dir, const std::string& name);

// Replaces `path` with `data` so that readers see the old or the new file,
// never a part: temp file beside it, fsync, rename, fsync of the directory.
void write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0600);

} // namespace rnh
