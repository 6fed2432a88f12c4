// Running build/cnnbp from a test: the build passes the program's path in as CNNBP_EXE; the environment variable
// CNNBP_EXE, when set, names another build of it (tools/sanitize.sh runs these tests on the sanitized one).
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <sys/wait.h>

namespace cnnbp::testing {

// What a run of the program printed (stdout and stderr together) and its exit status.
struct Run {
    int status;
    std::string output;
};

// Writes text to a file in the test's working folder and returns its name.
inline std::string file(const std::string& name, const std::string& text) {
    std::FILE* f = std::fopen(name.c_str(), "w");
    REQUIRE(f);
    std::fputs(text.c_str(), f);
    std::fclose(f);
    return name;
}

// The program under test: CNNBP_EXE from the environment if set, else the one this build made.
inline std::string program() {
    const char* other = std::getenv("CNNBP_EXE");
    return other && *other ? other : CNNBP_EXE;
}

// Runs a shell command line; the output is standard output and standard error together, or standard output alone
// with `errors` = "2>/dev/null".
inline Run shell(const std::string& command, const std::string& errors = "2>&1") {
    const std::string cmd = command + " " + errors;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    REQUIRE(pipe);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
    const int status = pclose(pipe.release());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

// Runs `build/cnnbp ARGS` through the shell, as shell() does.
inline Run run(const std::string& args, const std::string& errors = "2>&1") { return shell(program() + " " + args, errors); }

// Whether the output holds `part`.
inline bool says(const Run& r, const std::string& part) { return r.output.find(part) != std::string::npos; }

}  // namespace cnnbp::testing
