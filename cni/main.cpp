// SPDX-License-Identifier: Apache-2.0
// rdma-netns: a CNI plugin that moves RDMA devices into a pod's network
// namespace. Read the environment and the configuration, run one command; a
// failure is the CNI error object on stdout, the same line on stderr and in
// the system log, and a non-zero exit.
#include "base/error.hpp"
#include "base/file.hpp"
#include "base/json.hpp"
#include "cni/env.hpp"
#include "cni/netconf.hpp"
#include "cni/plugin.hpp"
#include "cni/result.hpp"
#include "hook/config/config.hpp"
#include "hook/log.hpp"
#include "hook/plan/policy.hpp"
#include "hook/release_settings.hpp"

#include <unistd.h>

#include <cstdio>
#include <exception>

namespace {

using rnh::cni::Code;
using rnh::cni::Command;

// DEL and GC return devices, which needs only the journal: a broken settings
// file is reported and read as far as it can be (README, "Configuration").
bool releases(Command command)
{
    return command == Command::del || command == Command::gc;
}

// Each step's failures have the code the specification gives them.
struct Run {
    std::string version{rnh::cni::latest_version};
    Code code = Code::invalid_env;
    std::string subject = "rdma-netns";

    void operator()()
    {
        const auto env = rnh::cni::read_env();
        subject = std::string(rnh::cni::command_name(env.command));
        if (!env.container_id.empty())
            subject.append(" ").append(rnh::cni::who(env)).append(" on ").append(env.ifname);
        code = Code::decoding;
        const auto text = rnh::read_limited(STDIN_FILENO, 1 << 20, "the network configuration");
        if (env.command == Command::version) {
            answer_version(text);
            return;
        }
        const auto doc = rnh::parse_json(text, "the network configuration");
        code = Code::incompatible_version;
        version = rnh::cni::check_version(doc);
        code = Code::invalid_config;
        const auto conf = rnh::cni::parse_netconf(doc);
        std::optional<rnh::cni::SandboxInterface> derive_from;
        if (env.command == Command::add && !conf.has_request() && !conf.takes_pod_annotations) {
            if (!conf.prev_result)
                rnh::fail("the network configuration names no RDMA device and has no prevResult",
                          "set \"deviceID\", \"devices\", \"netdevs\" or \"pci\", or chain "
                          "rdma-netns after a plugin that moves a network interface into the pod");
            derive_from = rnh::cni::sandbox_interface(*conf.prev_result);
        }
        if (env.command == Command::gc && !conf.valid_attachments)
            rnh::fail("GC without \"cni.dev/valid-attachments\"",
                      "a runtime lists the attachments that stay; GC releases the others");
        code = env.command == Command::status ? Code::not_available : Code::failed;
        const auto config = releases(env.command) ? rnh::settings_for_release(std::nullopt)
                                                  : rnh::load_config(std::nullopt);
        if (env.command == Command::add) {
            code = Code::invalid_config;
            auto parts = conf.parts;
            if (derive_from)
                parts.emplace_back("prevResult");
            rnh::check_cni_request(config.policy, parts, config.source);
            if (conf.by_pod_annotations) // and as the hook honours annotations
                rnh::check_request(config.policy, conf.request, config.source);
            code = Code::failed;
        }
        switch (env.command) {
        case Command::add:
            rnh::cni::run_add(config, env, conf, derive_from);
            break;
        case Command::del:
            rnh::cni::run_del(config, env);
            break;
        case Command::check:
            rnh::cni::run_check(config, env);
            break;
        case Command::status:
            rnh::cni::run_status(config);
            break;
        case Command::gc:
            rnh::cni::run_gc(config, conf, *conf.valid_attachments);
            break;
        case Command::version:
            break;
        }
        if (conf.debug)
            std::fprintf(stderr, "rdma-netns: %s: done\n", subject.c_str());
    }

    // VERSION answers whatever version asks, in that version when it speaks it.
    void answer_version(const std::string& text)
    {
        try {
            version = rnh::cni::check_version(rnh::parse_json(text, "the network configuration"));
        } catch (const rnh::Error&) {
            // none, or one this plugin does not speak: answer in the latest
        }
        std::fputs(rnh::cni::version_result(version).c_str(), stdout);
    }
};

} // namespace

int main()
{
    rnh::set_log_name("rdma-netns");
    Run run;
    try {
        run();
        return 0;
    } catch (...) {
        const auto error = rnh::current_error();
        std::fputs(rnh::cni::error_result(run.version, run.code, error).c_str(), stdout);
        rnh::log_error(run.subject + ": " + error.what());
    }
    return 1;
}
