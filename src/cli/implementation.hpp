// An implementation under test, started once as a shell command and spoken to in JSON lines (docs/protocol.md):
// cnnbp writes one case per line on its standard input and reads one answer per line from its standard output. Its
// standard error stays the terminal's, so the user sees what it says.
#pragma once

#include <string>
#include <sys/types.h>

namespace cnnbp::cli {

class Implementation {
public:
    /// Starts `command` under /bin/sh. Throws cnnbp::Error if it cannot be started.
    explicit Implementation(std::string command, double timeout_seconds = 10.0);
    ~Implementation();
    Implementation(const Implementation&) = delete;
    Implementation& operator=(const Implementation&) = delete;

    /// Sends one line and waits for one line back. On a crash, a closed output or a timeout, returns false and sets
    /// `problem` (the process is then stopped and restarted on the next call).
    bool ask(const std::string& line, std::string& answer, std::string& problem);

    /// The command, as the user gave it.
    const std::string& command() const { return command_; }

private:
    void start();
    void stop();
    std::string command_;
    double timeout_;
    pid_t pid_ = -1;
    int to_child_ = -1, from_child_ = -1;
    std::string buffer_;
};

}  // namespace cnnbp::cli
