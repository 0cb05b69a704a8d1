// The project's one error type: what failed, on which input, the errno if a
// system call failed, and what the user can do about it. Thrown wherever a
// step fails and turned into one line by main().
#pragma once

#include <exception>
#include <string>

namespace rnh {

class Error : public std::exception {
public:
    Error(std::string what, int err = 0, std::string hint = {});

    // "<what>: <strerror(err)>; <hint>", parts present only when set.
    const char* what() const noexcept override { return message_.c_str(); }
    int err() const noexcept { return err_; }
    const std::string& context() const noexcept { return what_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    std::string what_;
    int err_;
    std::string hint_;
    std::string message_;
};

[[noreturn]] void fail(std::string what, std::string hint = {});
// Uses the current errno.
[[noreturn]] void fail_errno(std::string what, std::string hint = {});
[[noreturn]] void fail_errno(int err, std::string what, std::string hint = {});

} // namespace rnh
