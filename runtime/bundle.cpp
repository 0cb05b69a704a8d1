#include "runtime/bundle.hpp"

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/file.hpp"
#include "oci/spec.hpp"
#include "runtime/spec_edit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

namespace rnh::runtime {
namespace {

void write_all(int fd, const std::string& data, const std::string& what)
{
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail_errno("writing " + what);
        done += static_cast<std::size_t>(n);
    }
}

// Creates a new file beside the spec; returns its name.
std::string create_temp(int dirfd, Fd& out, const std::string& bundle)
{
    std::random_device random;
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string name = ".config.json.rdma-netns-" + std::to_string(random() % 1000000000u);
        out.reset(::openat(dirfd, name.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (out)
            return name;
        if (errno != EEXIST)
            fail_errno("creating a temporary file in " + bundle,
                       "the bundle directory must be writable by the runtime");
    }
    fail("creating a temporary file in " + bundle + ": every name tried exists");
}

} // namespace

bool edit_bundle(const std::string& bundle, const std::string& hook_path)
{
    const std::string what = bundle + "/config.json";
    Fd dirfd(::open(bundle.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd)
        fail_errno("opening the bundle " + bundle);
    auto fd = open_regular_nofollow(bundle, "config.json");
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        fail_errno("checking " + what);
    auto text = read_limited(fd.get(), oci::spec_max_bytes, what);
    auto updated = add_hooks_to_spec(text, what, hook_path);
    if (!updated)
        return false;

    Fd tmp;
    const std::string tmp_name = create_temp(dirfd.get(), tmp, bundle);
    try {
        write_all(tmp.get(), *updated, bundle + "/" + tmp_name);
        if ((st.st_uid != ::geteuid() || st.st_gid != ::getegid()) &&
            ::fchown(tmp.get(), st.st_uid, st.st_gid) != 0)
            fail_errno("setting the owner of " + bundle + "/" + tmp_name);
        if (::fchmod(tmp.get(), st.st_mode & 07777) != 0)
            fail_errno("setting the mode of " + bundle + "/" + tmp_name);
        if (::fsync(tmp.get()) != 0)
            fail_errno("writing " + bundle + "/" + tmp_name + " to disk");
        if (::renameat(dirfd.get(), tmp_name.c_str(), dirfd.get(), "config.json") != 0)
            fail_errno("replacing " + what);
    } catch (...) {
        ::unlinkat(dirfd.get(), tmp_name.c_str(), 0);
        throw;
    }
    if (::fsync(dirfd.get()) != 0)
        fail_errno("writing the directory " + bundle + " to disk");
    return true;
}

} // namespace rnh::runtime
