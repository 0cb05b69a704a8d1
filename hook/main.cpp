// SPDX-License-Identifier: Apache-2.0
// rdma-netns-hook: parse the command line, run one command, and turn any
// failure into one line on stderr and in the system log (crun and Podman do
// not show a failing hook's stderr unless told to).
#include "base/error.hpp"
#include "base/version.hpp"
#include "hook/cli.hpp"
#include "hook/commands.hpp"
#include "hook/log.hpp"
#include "hook/release_settings.hpp"
#include "oci/state.hpp"

#include <unistd.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    try {
        auto inv = rnh::parse_command_line({argv + 1, argv + argc});
        for (const auto& option : inv.ignored)
            rnh::log_warning("ignoring the unknown option \"" + option +
                             "\" (written for a newer rdma-netns-hook?)");
        switch (inv.command) {
        case rnh::Command::help:
            std::fputs(rnh::usage_text, stdout);
            return 0;
        case rnh::Command::version:
            std::fputs(rnh::version_text("rdma-netns-hook").c_str(), stdout);
            return 0;
        case rnh::Command::prestart:
            rnh::run_prestart(rnh::load_config(inv.config_path), rnh::oci::read_state(STDIN_FILENO),
                              inv);
            return 0;
        case rnh::Command::poststop:
            // a release needs only the journal: a broken settings file is reported, not obeyed
            rnh::run_poststop(rnh::settings_for_release(inv.config_path),
                              rnh::oci::read_state(STDIN_FILENO));
            return 0;
        case rnh::Command::recover:
            rnh::run_recover(rnh::settings_for_release(inv.config_path));
            return 0;
        case rnh::Command::status:
            rnh::run_status(rnh::load_config(inv.config_path), inv.json);
            return 0;
        case rnh::Command::cdi_generate:
            rnh::run_cdi_generate(rnh::load_config(inv.config_path), inv);
            return 0;
        case rnh::Command::setup:
            rnh::run_setup_exclusive(rnh::load_config(inv.config_path));
            return 0;
        case rnh::Command::audit:
            return rnh::run_audit(rnh::load_config(inv.config_path), *inv.target, inv.json) ? 0 : 1;
        }
    } catch (const std::exception& e) {
        rnh::log_error(e.what());
    }
    return 1;
}
