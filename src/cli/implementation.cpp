#include "implementation.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/limits.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cnnbp::cli {

namespace {

// The process groups alive now, killed when cnnbp is interrupted or exits: one slot per implementation (0 when
// free), lock-free, so that threads may start and stop implementations while the signal handler reads the slots.
constexpr std::size_t max_groups = 256;
std::atomic<pid_t> group_slots[max_groups];

void remember_group(pid_t g) {
    for (std::atomic<pid_t>& slot : group_slots) {
        pid_t free = 0;
        if (slot.compare_exchange_strong(free, g)) return;
    }
}

void forget_group(pid_t g) {
    for (std::atomic<pid_t>& slot : group_slots) {
        pid_t mine = g;
        if (slot.compare_exchange_strong(mine, 0)) return;
    }
}

void kill_groups_and_reraise(int signal) {
    for (std::atomic<pid_t>& slot : group_slots)
        if (const pid_t g = slot.load(); g > 0) kill(-g, SIGKILL);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

// How much of an implementation's standard error is kept: enough for a Python traceback, bounded against a flood.
constexpr std::size_t stderr_tail_bytes = 4096;

std::string describe_status(int status) {
    if (WIFSIGNALED(status))
        return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    const int code = WEXITSTATUS(status);
    std::string what = "exited with status " + std::to_string(code);
    if (code > 128 && code < 128 + 65)  // the shell reports a child killed by signal k as 128 + k
        what += " (the shell's way of saying signal " + std::to_string(code - 128) + ", " + strsignal(code - 128) + ")";
    return what;
}

}  // namespace

Implementation::Implementation(std::string command, double timeout_seconds, double startup_seconds)
    : command_(std::move(command)), timeout_(timeout_seconds), startup_(startup_seconds) {
    if (!(timeout_ > 0) || !std::isfinite(timeout_))
        fail("--timeout must be a positive number of seconds, got ", timeout_);
    if (!(startup_ >= 0) || !std::isfinite(startup_))
        fail("--startup-timeout must be a number of seconds >= 0, got ", startup_);
    std::signal(SIGPIPE, SIG_IGN);  // a dead implementation must not kill cnnbp when it writes to it
    for (int s : {SIGINT, SIGTERM, SIGHUP}) std::signal(s, kill_groups_and_reraise);
    start();
}

Implementation::~Implementation() { stop(); }

void Implementation::start() {
    // close-on-exec from the start: an implementation started by another thread at the same moment must not inherit
    // these (dup2 below clears the flag on the child's own three)
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
        fail("cannot create pipes for the implementation: ", std::strerror(errno));
    pid_ = fork();
    if (pid_ < 0) fail("cannot start the implementation: ", std::strerror(errno));
    if (pid_ == 0) {
        setpgid(0, 0);  // a group of its own: the shell and everything it starts
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(err[0]), close(err[1]);
        execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    setpgid(pid_, pid_);  // also here, so that the group exists before either side goes on
    remember_group(pid_);
    close(in[0]), close(out[1]), close(err[1]);
    to_child_ = in[1], from_child_ = out[0], errors_ = err[0];
    for (int fd : {to_child_, errors_}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);  // never blocks past the timeout
    buffer_.clear();
    error_tail_.clear();
    fresh_ = true;
}

void Implementation::stop() {
    if (pid_ <= 0) return;
    close(to_child_), close(from_child_);
    if (errors_ >= 0) close(errors_), errors_ = -1;
    kill(-pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(10000);
    kill(-pid_, SIGKILL);  // whatever is left of the group, the shell's children included
    if (waitpid(pid_, &status, WNOHANG) == 0) waitpid(pid_, &status, 0);
    forget_group(pid_);
    pid_ = -1;
}

void Implementation::restart() { stop(); }

void Implementation::drain_errors() {
    char chunk[65536];
    while (errors_ >= 0) {
        const ssize_t n = read(errors_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // nothing more for now
        if (n <= 0) {  // closed (or broken): poll it no more
            close(errors_), errors_ = -1;
            return;
        }
        error_tail_.append(chunk, std::size_t(n));
        if (error_tail_.size() > stderr_tail_bytes) error_tail_.erase(0, error_tail_.size() - stderr_tail_bytes);
    }
}

std::string Implementation::errors_tail() const {
    std::string tail = error_tail_;
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
    if (tail.empty()) return "";
    std::string indented = "\n    ";
    for (char c : tail) indented += c == '\n' ? std::string("\n    ") : std::string(1, c);
    return std::string("; the end of its standard error") + (error_tail_.size() >= stderr_tail_bytes ? " (last 4 KiB)" : "") +
           ":" + indented;
}

bool Implementation::ask(const std::string& line, std::string& answer, std::string& problem) {
    if (pid_ <= 0) start();
    drain_errors();
    error_tail_.clear();  // what it says from here on is about this case
    const std::string message = line + "\n";
    const double seconds = timeout_ + (fresh_ ? startup_ : 0.0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    std::size_t sent = 0, searched = 0;
    auto give_up = [&](const std::string& why) {
        drain_errors();
        problem = why + errors_tail();
        stop();
        return false;
    };
    for (;;) {
        const auto newline = buffer_.find('\n', searched);
        if (newline != std::string::npos) {
            answer = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            fresh_ = false, ever_answered_ = true;
            return true;
        }
        searched = buffer_.size();  // look only at what arrives next: a long line is read in linear time
        if (buffer_.size() > limits().file_bytes)
            return give_up("an answer line longer than " + std::to_string(limits().file_bytes) + " bytes (--max-file-bytes)");
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return give_up(std::string(sent < message.size() ? "the case was not read" : "no answer") + " within " +
                           std::to_string(seconds) + " s (a hang?" + (fresh_ ? " The start-up counts too: --startup-timeout" : "") + ")");
        // read while writing (an answer may come early), and drain its standard error all along (poll skips fd -1)
        const bool sending = sent < message.size();
        pollfd p[3] = {{from_child_, POLLIN, 0}, {errors_, POLLIN, 0}, {sending ? to_child_ : -1, POLLOUT, 0}};
        if (poll(p, 3, int(std::min<long long>(left.count(), 1000))) <= 0) continue;
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) drain_errors();
        if (sending && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            const ssize_t n = write(to_child_, message.data() + sent, message.size() - sent);
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return ended(true, problem);
            if (n > 0) sent += std::size_t(n);
        }
        if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char chunk[65536];
        const ssize_t n = read(from_child_, chunk, sizeof chunk);
        if (n > 0) {
            buffer_.append(chunk, std::size_t(n));
            continue;
        }
        return ended(false, problem);
    }
}

bool Implementation::ended(bool input_closed, std::string& problem) {
    // Its input or its output is closed: it exited, crashed, or closed one of them and lives on (then it is killed).
    // Which of these it was is told by its exit status; a process that has just died may take a moment to be
    // reaped on a loaded machine, so it is given up to a second before it is called alive.
    int status = 0;
    pid_t done = 0;
    for (int i = 0; i < 100 && (done = waitpid(pid_, &status, WNOHANG)) == 0; ++i) usleep(10000);
    const std::string how = done == pid_ ? describe_status(status) + " without answering"
                            : input_closed ? "stopped reading its input without exiting"
                                           : "closed its output without exiting";
    const bool not_run = done == pid_ && WIFEXITED(status) && (WEXITSTATUS(status) == 127 || WEXITSTATUS(status) == 126);
    drain_errors();
    const std::string said = errors_tail();
    if (done == pid_) {  // reaped already: kill what is left of its group, then forget it
        kill(-pid_, SIGKILL);
        forget_group(pid_);
        close(to_child_), close(from_child_);
        if (errors_ >= 0) close(errors_), errors_ = -1;
        pid_ = -1;
    }
    stop();
    if (not_run && !ever_answered_)
        fail("the implementation `", command_, "` could not be run: the shell ", how,
             WEXITSTATUS(status) == 127 ? " (command not found)" : " (not executable)", said);
    problem = "the implementation " + how + said;
    return false;
}

}  // namespace cnnbp::cli
