#include "base/error.hpp"

#include <cerrno>
#include <cstring>

namespace rnh {

Error::Error(std::string what, int err, std::string hint)
    : what_(std::move(what)), err_(err), hint_(std::move(hint)), message_(what_)
{
    if (err_ != 0)
        message_ += std::string(": ") + std::strerror(err_);
    if (!hint_.empty())
        message_ += "; " + hint_;
}

void fail(std::string what, std::string hint)
{
    throw Error(std::move(what), 0, std::move(hint));
}

void fail_errno(std::string what, std::string hint)
{
    throw Error(std::move(what), errno, std::move(hint));
}

void fail_errno(int err, std::string what, std::string hint)
{
    throw Error(std::move(what), err, std::move(hint));
}

} // namespace rnh
