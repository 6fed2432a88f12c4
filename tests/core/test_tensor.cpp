// Tensor4: layout, checked access, printing.
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/tensor.hpp"
#include "support/compare.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace cnnbp;

TEST_CASE("Tensor4: slice n*C + c of the cube is the plane of sample n, channel c", "[tensor][convention]") {
    Tensor4 t(2, 3, 4, 5);
    t(1, 2, 3, 4) = 7.5;
    t(0, 1, 2, 0) = -1.0;
    CHECK(t.data()(3, 4, 1 * 3 + 2) == 7.5);
    CHECK(t.plane(0, 1)(2, 0) == -1.0);
    // a plane is a view: writing through it changes the tensor
    t.plane(1, 0)(0, 1) = 4.0;
    CHECK(t(1, 0, 0, 1) == 4.0);
    // inside a plane Armadillo stores columns one after another
    CHECK(&t.plane(1, 2)(1, 0) - &t.plane(1, 2)(0, 0) == 1);
    CHECK(&t.plane(1, 2)(0, 1) - &t.plane(1, 2)(0, 0) == 4);
    CHECK(t.shape() == Shape4{2, 3, 4, 5});
    CHECK(t.size() == 120);
}

TEST_CASE("Tensor4: an index out of range throws cnnbp::Error naming the index and the shape", "[tensor][errors]") {
    Tensor4 t(2, 3, 4, 5);
    const Tensor4& ct = t;
    CNNBP_CHECK_THROWS(t(0, 3, 0, 0), "index (0,3,0,0) is out of range for shape (2,3,4,5)");
    CNNBP_CHECK_THROWS(ct(2, 0, 0, 0), "(2,0,0,0)");
    CNNBP_CHECK_THROWS(t(0, 0, 4, 0), "(0,0,4,0)");
    CNNBP_CHECK_THROWS(t(0, 0, 0, 5), "(0,0,0,5)");
    CNNBP_CHECK_THROWS(t.plane(0, 3), "plane (0,3) is out of range");
}

TEST_CASE("Tensor4: printing shows the shape and every plane", "[tensor]") {
    Tensor4 t(1, 2, 1, 2);
    t(0, 1, 0, 1) = 2.5;
    std::ostringstream os;
    os << t;
    CHECK(os.str().find("Tensor4 (1,2,1,2)") == 0);
    CHECK(os.str().find("[n=0, c=1]") != std::string::npos);
    CHECK(os.str().find("2.5") != std::string::npos);
}

TEST_CASE("dot: the Frobenius inner product, with shapes that must agree", "[tensor]") {
    Tensor4 a(1, 1, 2, 2), b(1, 1, 2, 2);
    a(0, 0, 0, 0) = 1, a(0, 0, 0, 1) = 2, a(0, 0, 1, 0) = 3, a(0, 0, 1, 1) = 4;
    b(0, 0, 0, 0) = -1, b(0, 0, 0, 1) = 0.5, b(0, 0, 1, 0) = 2, b(0, 0, 1, 1) = 0;
    CHECK(dot(a, b) == 1 * -1 + 2 * 0.5 + 3 * 2 + 4 * 0);
    CNNBP_CHECK_THROWS(dot(a, Tensor4(1, 1, 2, 3)), "(1,1,2,2) and (1,1,2,3)");
}
