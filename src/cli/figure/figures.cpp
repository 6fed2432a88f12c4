// The figures of the documentation, each drawn from the library's own geometry (docs/artifacts.hpp).
#include "../docs/artifacts.hpp"

namespace cnnbp::cli {

std::vector<Artifact> figures() { return {}; }

}  // namespace cnnbp::cli
