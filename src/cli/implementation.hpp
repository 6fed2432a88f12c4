// An implementation under test, started as a shell command and spoken to in JSON lines (docs/protocol.md): cnnbp
// writes one case per line on its standard input and reads one answer per line from its standard output. Its
// standard error is read as it comes and only its last few kilobytes are kept, so that a flood cannot block it or
// fill memory; they are shown with the problem when it crashes, hangs or closes its output. It runs in a process group
// of its own, which is killed as a whole on a timeout, on a restart and when cnnbp exits or is interrupted, so that no
// process is left.
#pragma once

#include <string>
#include <sys/types.h>

namespace cnnbp::cli {

class Implementation {
public:
    /// Starts `command` under /bin/sh. `timeout_seconds` bounds each answer (writing the case and reading the answer);
    /// `startup_seconds` is added for the first answer after a start (an `import torch` can take many seconds).
    /// Throws cnnbp::Error if it cannot be started or a timeout is not a positive number.
    explicit Implementation(std::string command, double timeout_seconds = 10.0, double startup_seconds = 60.0);
    ~Implementation();
    Implementation(const Implementation&) = delete;
    Implementation& operator=(const Implementation&) = delete;

    /// Sends one line and waits for one line back. On a crash, a closed output, a timeout or an answer longer than
    /// limits().file_bytes, returns false and sets `problem` (with the end of what the implementation wrote on its
    /// standard error, if anything); the process group is then stopped and started again on the next call. Throws
    /// cnnbp::Error when the command cannot be run at all (the shell's exit status 127 or 126 before any answer).
    bool ask(const std::string& line, std::string& answer, std::string& problem);

    /// Stops the process group; the next ask() starts a fresh one.
    void restart();

    /// The command, as the user gave it.
    const std::string& command() const { return command_; }

private:
    void start();
    void stop();
    // Ends a conversation whose input (`input_closed`) or output was closed: says how the process ended, in
    // `problem`, stops what is left of it and returns false; throws when the shell could not run the command.
    bool ended(bool input_closed, std::string& problem);
    std::string command_;
    double timeout_, startup_;
    pid_t pid_ = -1;  // also the process group's id
    int to_child_ = -1, from_child_ = -1, errors_ = -1;
    void drain_errors();         // reads what is waiting on its standard error, keeping the tail
    std::string errors_tail() const;
    std::string error_tail_;     // at most stderr_tail_bytes of its standard error, the latest
    bool fresh_ = true;       // no answer read since the last start
    bool ever_answered_ = false;
    std::string buffer_;
};

}  // namespace cnnbp::cli
