// SPDX-License-Identifier: Apache-2.0
// Reading and replacing a bundle's config.json.
#pragma once

#include <string>

namespace rnh::runtime {

// Applies add_hooks_to_spec to <bundle>/config.json (a regular file, not a
// link) and, when it changes, replaces the file atomically: a temporary file
// in the bundle with the same mode and owner, fsync, rename, fsync of the
// directory. Returns whether the file changed.
bool edit_bundle(const std::string& bundle, const std::string& hook_path);

} // namespace rnh::runtime
