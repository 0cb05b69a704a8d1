// SPDX-License-Identifier: Apache-2.0
// The project's one error type: what failed, on which input, the errno if a
// system call failed, and what the user can do about it. Thrown wherever a
// step fails and turned into one line by main().
#pragma once

#include <exception>
#include <string>

namespace rnh {

class Error : public std::exception {
public:
    Error(std::string context, int err = 0, std::string hint = {});

    // "<context>: <strerror(err)>; <hint>", parts present only when set.
    const char* what() const noexcept override { return message_.c_str(); }
    int err() const noexcept { return err_; }
    const std::string& context() const noexcept { return context_; }
    const std::string& hint() const noexcept { return hint_; }

    // The same failure one level up, as crun_error_wrap() words it:
    // "<outer>: <context>", with the errno and the hint kept.
    Error wrap(const std::string& outer) const;

private:
    std::string context_;
    int err_;
    std::string hint_;
    std::string message_;
};

// The exception being handled, as an Error: an Error as it is, a
// std::system_error with its errno, anything else by its text. Only inside a
// catch block; worker threads use it to catch everything.
Error current_error();

[[noreturn]] void fail(std::string context, std::string hint = {});
// Uses the current errno.
[[noreturn]] void fail_errno(std::string context, std::string hint = {});
[[noreturn]] void fail_errno(int err, std::string context, std::string hint = {});

} // namespace rnh
