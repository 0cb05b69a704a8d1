#include "hook/commands.hpp"
#include "hook/confine.hpp"
#include "hook/devices.hpp"
#include "hook/fault.hpp"
#include "hook/journal.hpp"
#include "hook/release.hpp"

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
