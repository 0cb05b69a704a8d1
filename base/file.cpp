// SPDX-License-Identifier: Apache-2.0
#include "base/file.hpp"

#include "base/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

namespace rnh {

std::string read_limited(int fd, std::size_t limit, const std::string& what)
{
    std::string data;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail_errno("reading " + what);
        if (n == 0)
            return data;
        if (data.size() + static_cast<std::size_t>(n) > limit)
            fail(what + " is larger than " + std::to_string(limit) + " bytes",
                 "it is refused rather than truncated");
        data.append(buf, static_cast<std::size_t>(n));
    }
}

std::string read_file(const std::string& path, std::size_t limit)
{
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        fail_errno("opening " + path);
    return read_limited(fd.get(), limit, path);
}

std::string read_first_line(const std::string& path)
{
    try {
        auto text = read_file(path, 4096);
        return text.substr(0, text.find('\n'));
    } catch (const Error&) {
        return {};
    }
}

Fd open_regular_nofollow(const std::string& dir, const std::string& name)
{
    const std::string path = dir + "/" + name;
    Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd)
        fail_errno("opening " + path);
    Fd fd(::openat(dirfd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd && errno == ELOOP)
        fail(path + " is a symbolic link", "the file must be a regular file, not a link");
    if (!fd)
        fail_errno("opening " + path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        fail_errno("checking " + path);
    if (!S_ISREG(st.st_mode))
        fail(path + " is not a regular file");
    return fd;
}

void make_private_dir(const std::string& path, const std::string& what)
{
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        fail_errno("creating " + what + " " + path);
}

void sync_dir(const std::string& dir)
{
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::fsync(fd.get()) != 0)
        fail_errno("syncing " + dir);
}

namespace {

void write_all(int fd, std::string_view data, const std::string& what)
{
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail_errno("writing " + what);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// A new file in `dir` (O_EXCL: never one that is there already) named after
// `name`; returns its path.
std::string create_temp(const std::string& dir, const std::string& name, Fd& out)
{
    std::random_device random;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto temp = (dir == "/" ? "" : dir) + "/." + name + ".tmp-" +
                    std::to_string(random() % 1000000000U);
        out.reset(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (out)
            return temp;
        if (errno != EEXIST)
            fail_errno("creating a temporary file in " + dir,
                       "the directory must be writable by this program");
    }
    fail("creating a temporary file in " + dir + ": every name tried exists");
}

} // namespace

void write_file_atomic(const std::string& path, std::string_view data, unsigned mode,
                       std::optional<FileOwner> owner)
{
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "."
                            : slash == 0               ? "/"
                                                       : path.substr(0, slash);
    Fd fd;
    const auto temp = create_temp(dir, path.substr(slash + 1), fd);
    try {
        write_all(fd.get(), data, temp);
        if (owner && ::fchown(fd.get(), owner->uid, owner->gid) != 0)
            fail_errno("setting the owner of " + temp);
        if (::fchmod(fd.get(), mode) != 0)
            fail_errno("setting the mode of " + temp);
        if (::fsync(fd.get()) != 0)
            fail_errno("syncing " + temp);
        fd.reset();
        if (::rename(temp.c_str(), path.c_str()) != 0)
            fail_errno("renaming " + temp + " to " + path);
    } catch (const Error&) {
        ::unlink(temp.c_str());
        throw;
    }
    sync_dir(dir);
}

} // namespace rnh
