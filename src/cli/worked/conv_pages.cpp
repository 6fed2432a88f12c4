#include "worked.hpp"

namespace cnnbp::cli {

std::vector<Artifact> conv_pages_worked() { return {}; }

}  // namespace cnnbp::cli
