#include "worked.hpp"

namespace cnnbp::cli {

std::vector<Artifact> other_pages_worked() { return {}; }

}  // namespace cnnbp::cli
