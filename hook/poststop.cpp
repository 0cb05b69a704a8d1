// SPDX-License-Identifier: Apache-2.0
#include "hook/commands.hpp"
#include "hook/kernel/confine.hpp"
#include "hook/kernel/fault_points.hpp"
#include "hook/release.hpp"
#include "hook/state/journal.hpp"

namespace rnh {

void run_poststop(const Config& config, const oci::State& state)
{
    Journal journal(config.state_dir);
    auto assignment = journal.read(state.id);
    if (!assignment)
        return;
    require_privileges();
    confine();
    release_locked(config, journal, *assignment);
    report_usage();
}

} // namespace rnh
