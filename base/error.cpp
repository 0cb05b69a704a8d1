// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"

#include <cerrno>
#include <cstring>

namespace rnh {

Error::Error(std::string context, int err, std::string hint)
    : context_(std::move(context)), err_(err), hint_(std::move(hint)), message_(context_)
{
    if (err_ != 0)
        message_ += std::string(": ") + std::strerror(err_);
    if (!hint_.empty())
        message_ += "; " + hint_;
}

Error Error::wrap(const std::string& outer) const
{
    return Error(outer + ": " + context_, err_, hint_);
}

Error current_error()
{
    try {
        throw;
    } catch (const Error& e) {
        return e;
    } catch (const std::exception& e) {
        return Error(e.what());
    } catch (...) {
        return Error("an unknown exception");
    }
}

void fail(std::string context, std::string hint)
{
    throw Error(std::move(context), 0, std::move(hint));
}

void fail_errno(std::string context, std::string hint)
{
    throw Error(std::move(context), errno, std::move(hint));
}

void fail_errno(int err, std::string context, std::string hint)
{
    throw Error(std::move(context), err, std::move(hint));
}

} // namespace rnh
