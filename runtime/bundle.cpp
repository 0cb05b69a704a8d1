// SPDX-License-Identifier: Apache-2.0
#include "runtime/bundle.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "oci/spec.hpp"
#include "runtime/settings.hpp"
#include "runtime/spec_edit.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <optional>

namespace rnh::runtime {

bool edit_bundle(const std::string& bundle, const std::string& hook_path)
{
    const std::string what = bundle + "/config.json";
    auto fd = open_regular_nofollow(bundle, "config.json");
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        fail_errno("checking " + what);
    auto text = read_limited(fd.get(), oci::spec_max_bytes, what);
    auto updated = add_hooks_to_spec(text, what, hook_path);
    if (!updated)
        return false;
    check_hook_exists(hook_path);

    std::optional<FileOwner> owner;
    if (st.st_uid != ::geteuid() || st.st_gid != ::getegid())
        owner = FileOwner{st.st_uid, st.st_gid};
    write_file_atomic(what, *updated, st.st_mode & 07777, owner);
    return true;
}

} // namespace rnh::runtime
