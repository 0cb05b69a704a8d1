// SPDX-License-Identifier: Apache-2.0
// A scratch directory for a test, removed with everything in it at the end.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "rnh-test.XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() { std::filesystem::remove_all(path); }

    // Writes `name` in the directory with `text` and `mode`; returns its path.
    std::filesystem::path write(const std::string& name, const std::string& text,
                                std::filesystem::perms mode = std::filesystem::perms(0755)) const
    {
        std::ofstream(path / name) << text;
        std::filesystem::permissions(path / name, mode);
        return path / name;
    }
    std::string read(const std::string& name) const
    {
        std::ifstream in(path / name);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
};
