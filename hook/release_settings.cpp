// SPDX-License-Identifier: Apache-2.0
#include "hook/release_settings.hpp"

#include "hook/log.hpp"

namespace rnh {

Config settings_for_release(const std::optional<std::string>& path)
{
    auto loaded = load_config_for_release(path);
    if (loaded.warning)
        log_warning(*loaded.warning);
    return std::move(loaded.config);
}

} // namespace rnh
