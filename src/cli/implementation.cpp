#include "implementation.hpp"

#include "cnnbp/core/error.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cnnbp::cli {

Implementation::Implementation(std::string command, double timeout_seconds)
    : command_(std::move(command)), timeout_(timeout_seconds) {
    std::signal(SIGPIPE, SIG_IGN);  // a dead implementation must not kill cnnbp when it writes to it
    start();
}

Implementation::~Implementation() { stop(); }

void Implementation::start() {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) fail("cannot create pipes for the implementation: ", std::strerror(errno));
    pid_ = fork();
    if (pid_ < 0) fail("cannot start the implementation: ", std::strerror(errno));
    if (pid_ == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(in[0]), close(out[1]);
    to_child_ = in[1], from_child_ = out[0];
    fcntl(to_child_, F_SETFD, FD_CLOEXEC), fcntl(from_child_, F_SETFD, FD_CLOEXEC);
    buffer_.clear();
}

void Implementation::stop() {
    if (pid_ <= 0) return;
    close(to_child_), close(from_child_);
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(10000);
    if (waitpid(pid_, &status, WNOHANG) == 0) kill(pid_, SIGKILL), waitpid(pid_, &status, 0);
    pid_ = -1;
}

bool Implementation::ask(const std::string& line, std::string& answer, std::string& problem) {
    if (pid_ <= 0) start();
    const std::string message = line + "\n";
    for (std::size_t sent = 0; sent < message.size();) {
        const ssize_t n = write(to_child_, message.data() + sent, message.size() - sent);
        if (n <= 0) {
            problem = "the implementation stopped reading its input (it exited or crashed)";
            stop();
            return false;
        }
        sent += std::size_t(n);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_);
    for (;;) {
        const auto newline = buffer_.find('\n');
        if (newline != std::string::npos) {
            answer = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            return true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            problem = "no answer within " + std::to_string(timeout_) + " s (a hang?)";
            stop();
            return false;
        }
        pollfd p{from_child_, POLLIN, 0};
        if (poll(&p, 1, int(left.count())) <= 0) continue;
        char chunk[65536];
        const ssize_t n = read(from_child_, chunk, sizeof chunk);
        if (n <= 0) {
            int status = 0;
            waitpid(pid_, &status, 0);
            pid_ = -1;
            close(to_child_), close(from_child_);
            problem = WIFSIGNALED(status) ? "the implementation was killed by signal " + std::to_string(WTERMSIG(status))
                                          : "the implementation exited with status " + std::to_string(WEXITSTATUS(status)) +
                                                " without answering";
            return false;
        }
        buffer_.append(chunk, std::size_t(n));
    }
}

}  // namespace cnnbp::cli
