#include "base/file.hpp"

#include "base/error.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

} // namespace

void write_file_atomic(const std::string& path, std::string_view data, unsigned mode)
{
    auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    const std::string temp = dir + "." + path.substr(slash + 1) + ".tmp";
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd)
        fail_errno("creating " + temp);
    write_all(fd.get(), data, temp);
    if (::fsync(fd.get()) != 0)
        fail_errno("syncing " + temp);
    fd.reset();
    if (::rename(temp.c_str(), path.c_str()) != 0)
        fail_errno("renaming " + temp + " to " + path);
    Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd || ::fsync(dirfd.get()) != 0)
        fail_errno("syncing " + dir);
}

} // namespace rnh
