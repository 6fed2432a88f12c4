#include "worked.hpp"

namespace cnnbp::cli {

std::vector<Artifact> worked_examples() {
    std::vector<Artifact> all = conv_pages_worked();
    for (Artifact& a : other_pages_worked()) all.push_back(std::move(a));
    for (Artifact& a : site_pages_worked()) all.push_back(std::move(a));
    return all;
}

}  // namespace cnnbp::cli
