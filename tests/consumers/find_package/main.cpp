// A program that uses cnnbp as a library, built by both consumer projects (find_package and add_subdirectory): one
// convolution with hand-checkable numbers, and one golden case evaluated by the oracle. Usage: consumer GOLDEN_DIR/conv2d_basic.json
#include "cnnbp/cnnbp.hpp"  // everything, CNNBP_VERSION too

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    // x(0,0,i,j) = 3i + j on a 3 x 3 plane, w = [[1, 2], [3, 4]]: out(i,j) = sum_{u,v} w(u,v) x(i+u,j+v) = 27 37 / 57 67
    cnnbp::Tensor4 x(1, 1, 3, 3), w(1, 1, 2, 2);
    for (arma::uword i = 0; i < 3; ++i)
        for (arma::uword j = 0; j < 3; ++j) x(0, 0, i, j) = 3.0 * i + j;
    w.plane(0, 0) = arma::mat{{1, 2}, {3, 4}};
    const cnnbp::Tensor4 out = cnnbp::conv2d_forward(x, w, std::nullopt, {});
    std::cout << "cnnbp " << CNNBP_VERSION << " conv2d_forward:";
    for (arma::uword i = 0; i < 2; ++i) std::cout << ' ' << out(0, 0, i, 0) << ' ' << out(0, 0, i, 1);
    std::cout << '\n';

    std::ifstream file(argv[1]);
    const auto doc = nlohmann::ordered_json::parse(file);
    const cnnbp::Evaluation e = cnnbp::evaluate_case(doc, argv[1]);
    const cnnbp::Array expected = cnnbp::array_from_json(doc["expected"]["out"], "expected.out", false);
    const bool same = e.outputs.at("out").value.data == expected.data;
    std::cout << doc["name"].get<std::string>() << ": evaluate_case gives out " << e.outputs.at("out").value.shape_string()
              << (same ? ", equal to" : ", different from") << " the expected out of the file\n";
    return same ? 0 : 1;
}
