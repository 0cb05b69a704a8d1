// SPDX-License-Identifier: Apache-2.0
#include "hook/state/locks.hpp"

#include "base/error.hpp"
#include "base/file.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>

namespace rnh {

DeviceLocks::DeviceLocks(const std::string& state_dir, std::vector<std::string> names)
{
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    const auto dir = state_dir + "/locks";
    make_private_dir(state_dir, "the state directory");
    make_private_dir(dir, "the state directory");
    for (const auto& name : names) {
        const auto path = dir + "/" + name + ".lock";
        Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd)
            fail_errno("opening the lock " + path);
        while (::flock(fd.get(), LOCK_EX) != 0)
            if (errno != EINTR)
                fail_errno("locking " + path);
        fds_.push_back(std::move(fd));
    }
}

} // namespace rnh
