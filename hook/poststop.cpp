// SPDX-License-Identifier: Apache-2.0
#include "hook/commands.hpp"
#include "hook/kernel/confine.hpp"
#include "hook/kernel/fault_points.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/release.hpp"
#include "hook/state/journal.hpp"
#include "hook/state/locks.hpp"

namespace rnh {

void run_poststop(const Config& config, const oci::State& state)
{
    Journal journal(config.state_dir);
    auto assignment = journal.read(state.id);
    if (!assignment)
        return;
    require_privileges();
    confine();
    DeviceLocks locks(config.state_dir, names_of(assignment->devices));
    // Read again under the locks: another hook may have changed it meanwhile.
    assignment = journal.read(state.id);
    if (assignment)
        release(config, journal, *assignment);
    report_usage();
}

} // namespace rnh
