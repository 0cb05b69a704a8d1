// SPDX-License-Identifier: Apache-2.0
// The settings a release reads (poststop, recover, the CNI plugin's DEL and GC).
#pragma once

#include "hook/config/config.hpp"

#include <optional>
#include <string>

namespace rnh {

// The settings of a release, which needs only the journal: a broken file
// (`path`, else the default) is reported once, on stderr and in the system
// log, and read as far as it can be (load_config_for_release()).
Config settings_for_release(const std::optional<std::string>& path);

} // namespace rnh
