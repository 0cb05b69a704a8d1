// SPDX-License-Identifier: Apache-2.0
// floor_bench: the least work that moves RDMA devices into a network namespace
// and back. For device indices that are already known, it sends one
// RDMA_NLDEV_CMD_SET (DEV_INDEX + NET_NS_FD) per device into the target and
// waits for each ack, then does the same from inside the target back to the
// namespace it started in: the kernel only lets a device leave a namespace on
// a request sent by a thread inside it (rdma_dev_change_netns() in device.c).
// No dumps, no resolving, no journal, no checks: the floor the hook is
// compared with.
//
//   floor_bench --netns FILE --index I[,I...] [--threads N] [--rounds K]
//
// FILE is a network namespace (e.g. /proc/PID/ns/net). With --threads N the
// devices are dealt out to N threads, each with a socket of its own, in both
// directions: does the kernel overlap moves of different devices? Each round
// prints one JSON line: {"devices":D,"threads":N,"in_us":..,"out_us":..}.
#include "base/error.hpp"
#include "base/fd.hpp"
#include "netlink/rdma.hpp"
#include "netlink/socket.hpp"

#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds timeout{30000};

const char* const usage = "usage: floor_bench --netns FILE --index I[,I...] [--threads N] "
                          "[--rounds K]\n";

struct Options {
    std::string netns;
    std::vector<std::uint32_t> indices;
    unsigned threads = 1;
    unsigned rounds = 1;
};

[[noreturn]] void usage_error(const std::string& problem)
{
    std::fprintf(stderr, "floor_bench: %s\n%s", problem.c_str(), usage);
    std::exit(2);
}

unsigned long number(std::string_view text, const char* what)
{
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos ||
        text.size() > 9)
        usage_error(std::string(what) + " must be a number, not \"" + std::string(text) + "\"");
    return std::stoul(std::string(text));
}

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc)
            usage_error("missing value after " + std::string(arg));
        const std::string_view value = argv[++i];
        if (arg == "--netns") {
            o.netns = value;
        } else if (arg == "--index") {
            std::size_t start = 0;
            for (;;) {
                const std::size_t comma = value.find(',', start);
                o.indices.push_back(static_cast<std::uint32_t>(
                    number(value.substr(start, comma - start), "a device index")));
                if (comma == std::string_view::npos)
                    break;
                start = comma + 1;
            }
        } else if (arg == "--threads") {
            o.threads = static_cast<unsigned>(number(value, "--threads"));
        } else if (arg == "--rounds") {
            o.rounds = static_cast<unsigned>(number(value, "--rounds"));
        } else {
            usage_error("unknown option " + std::string(arg));
        }
    }
    if (o.netns.empty() || o.indices.empty())
        usage_error("--netns and --index are required");
    if (o.threads == 0 || o.rounds == 0)
        usage_error("--threads and --rounds must be at least 1");
    return o;
}

rnh::Fd open_netns(const std::string& path)
{
    rnh::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        rnh::fail_errno("opening " + path);
    return fd;
}

// Moves `indices` into the namespace `to`, on a socket opened by the calling
// thread (so in the namespace that thread is in).
void move_all(const std::vector<std::uint32_t>& indices, int to)
{
    auto socket = rnh::nl::Socket::open(NETLINK_RDMA, timeout);
    for (const std::uint32_t index : indices)
        rnh::nl::move_device(socket, index, to);
}

void join(int ns)
{
    if (::setns(ns, CLONE_NEWNET) != 0)
        rnh::fail_errno("joining a network namespace");
}

// Moves every share of the devices into `to`, from the namespace `from`
// (-1: the current one). One share: on the calling thread, which joins
// `from` for the moves and `back` after them. Several: one thread each.
void run_shares(const std::vector<std::vector<std::uint32_t>>& shares, int to, int from, int back)
{
    if (shares.size() == 1) {
        if (from >= 0)
            join(from);
        move_all(shares.front(), to);
        if (from >= 0)
            join(back);
        return;
    }
    std::vector<std::exception_ptr> errors(shares.size());
    std::vector<std::thread> workers;
    workers.reserve(shares.size());
    for (std::size_t i = 0; i < shares.size(); ++i)
        workers.emplace_back([&, i] {
            try {
                if (from >= 0)
                    join(from);
                move_all(shares[i], to);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        });
    for (auto& worker : workers)
        worker.join();
    for (const auto& error : errors)
        if (error)
            std::rethrow_exception(error);
}

long long micros_since(Clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv)
{
    const Options o = parse(argc, argv);
    try {
        const rnh::Fd target = open_netns(o.netns);
        const rnh::Fd home = open_netns("/proc/thread-self/ns/net");

        const std::size_t n_shares = std::min<std::size_t>(o.threads, o.indices.size());
        std::vector<std::vector<std::uint32_t>> shares(n_shares);
        for (std::size_t i = 0; i < o.indices.size(); ++i)
            shares[i % n_shares].push_back(o.indices[i]);

        for (unsigned round = 0; round < o.rounds; ++round) {
            auto start = Clock::now();
            run_shares(shares, target.get(), -1, -1);
            const long long in_us = micros_since(start);
            start = Clock::now();
            run_shares(shares, home.get(), target.get(), home.get());
            const long long out_us = micros_since(start);
            std::printf("{\"devices\":%zu,\"threads\":%zu,\"in_us\":%lld,\"out_us\":%lld}\n",
                        o.indices.size(), n_shares, in_us, out_us);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "floor_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
