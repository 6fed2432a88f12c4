// The op table (src/lib/cnnbp/ops/): every op's description writes its cases losslessly, inside and outside a
// network; every case its generator draws is valid; and the draws are the same on every machine.
#include "cnnbp/net/sequential.hpp"
#include "cnnbp/ops/op.hpp"
#include "cnnbp/ops/support.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "support/generators.hpp"
#include "support/rc_draw.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

using namespace cnnbp;
using namespace cnnbp::testing;
using json = nlohmann::ordered_json;

namespace {

bool same(const Array& a, const Array& b) { return a.shape == b.shape && a.data == b.data; }  // exactly

bool same(const OpCase& a, const OpCase& b) {
    if (a.op != b.op || a.op->write(a.params) != b.op->write(b.params) || a.inputs.size() != b.inputs.size()) return false;
    for (const auto& [name, value] : a.inputs)
        if (!b.inputs.count(name) || !same(value, b.inputs.at(name))) return false;
    return a.dout.has_value() == b.dout.has_value() && (!a.dout || same(*a.dout, *b.dout));
}

// A case written as a file would be (format_json), read back as text and then as a case.
json through_text(const json& doc) { return parse_json(format_json(doc), "round trip", false); }

// Writes the case with `write` in place of its op's writer, and reads it back with the op's reader.
OpCase round_trip(const OpCase& c, json (*write)(const OpParams&)) {
    Op writer = *c.op;
    writer.write = write;
    OpCase w = c;
    w.op = &writer;
    return read_case(through_text(write_case(w, "round trip")));
}

bool is_layer(const Op& op) { return op.forward != nullptr; }

// A network for the round trip: 1-6 layers of any kind with every parameter drawn by the layer's own generator and
// its weights, an input and a loss. The shapes need not fit: writing and reading do not evaluate.
rc::Gen<NetworkCase> gen_any_network() {
    return rc::gen::exec([] {
        std::vector<const Op*> layers;
        for (const Op& op : op_table())
            if (is_layer(op)) layers.push_back(&op);
        NetworkCase net;
        const int count = *rc::gen::inRange(1, 7);
        for (int l = 0; l < count; ++l) {
            const Op& op = **rc::gen::elementOf(layers);
            const OpCase c = *gen_op_case(op);
            net.layers.push_back({&op, c.params});
            LayerParams p;
            if (c.inputs.count("w"))
                p.w = c.inputs.at("w").rank() == 4 ? Value(to_tensor4(c.inputs.at("w"), "w")) : Value(to_matrix(c.inputs.at("w"), "w"));
            if (c.inputs.count("b")) p.b = to_vector(c.inputs.at("b"), "b");
            net.params.push_back(p);
        }
        const arma::uword n = *rc::gen::inRange(1, 4), m = *rc::gen::inRange(2, 5);
        if (*rc::gen::arbitrary<bool>()) net.x = *gen_tensor({n, 2, 3, 3});
        else net.x = *gen_matrix(n, 5);
        if (*rc::gen::arbitrary<bool>()) {
            net.loss = MseLoss{*gen_matrix(n, m)};
        } else {
            arma::uvec labels(n);
            for (arma::uword k = 0; k < n; ++k) labels(k) = *rc::gen::inRange<arma::uword>(0, m);
            net.loss = SoftmaxCrossEntropyLoss{labels};
        }
        return net;
    });
}

// The writer of conv2d's parameters inside networks before the op table: stride and padding only.
json lossy_conv2d_write(const OpParams& p) {
    json j = find_op("conv2d", "test").write(p);
    j.erase("dilation");
    j.erase("groups");
    return j;
}

}  // namespace

TEST_CASE("op table: every case an op writes reads back to the same case", "[ops][property]") {
    for (const Op& op : op_table())
        rc::prop(op.name + ": written and read back, a case is the same case", [&op] {
            const OpCase c = *gen_op_case(op);
            RC_ASSERT(same(round_trip(c, op.write), c));
        });
}

TEST_CASE("op table: every network written reads back to the same network, every layer parameter included", "[ops][property]") {
    rc::prop("written and read back, a network is the same network", [] {
        const NetworkCase net = *gen_any_network();
        const json doc = write_network(net, "round trip");
        const NetworkCase back = read_network(through_text(doc));
        RC_ASSERT(back.layers.size() == net.layers.size());
        for (std::size_t l = 0; l < net.layers.size(); ++l) {
            RC_ASSERT(back.layers[l].op == net.layers[l].op);
            RC_ASSERT(back.layers[l].op->write(back.layers[l].params) == net.layers[l].op->write(net.layers[l].params));
            RC_ASSERT(back.params[l].w.has_value() == net.params[l].w.has_value());
            if (net.params[l].w) RC_ASSERT(same(ops::array_of(*back.params[l].w), ops::array_of(*net.params[l].w)));
            RC_ASSERT(back.params[l].b.has_value() == net.params[l].b.has_value());
            if (net.params[l].b) RC_ASSERT(same(to_array(*back.params[l].b), to_array(*net.params[l].b)));
        }
        RC_ASSERT(same(ops::array_of(back.x), ops::array_of(net.x)));
        RC_ASSERT(back.loss.index() == net.loss.index());
        if (const auto* m = std::get_if<MseLoss>(&net.loss)) RC_ASSERT(same(to_array(std::get<MseLoss>(back.loss).y), to_array(m->y)));
        else RC_ASSERT(arma::all(std::get<SoftmaxCrossEntropyLoss>(back.loss).labels == std::get<SoftmaxCrossEntropyLoss>(net.loss).labels));
        RC_ASSERT(write_network(back, "round trip") == doc);
    });
}

TEST_CASE("op table: the round trip rejects a writer that drops parameters", "[ops][property]") {
    // The network writer before the op table wrote no conv2d dilation or groups: its cases read back otherwise.
    const Op& conv2d = find_op("conv2d", "test");
    CHECK_FALSE(rc::check("a conv2d writer without dilation and groups round-trips", [&conv2d] {
        const OpCase c = *gen_op_case(conv2d);
        RC_ASSERT(same(round_trip(c, lossy_conv2d_write), c));
    }));
}

TEST_CASE("op table: every case a generator draws is valid, and hunt draws it again from the record", "[ops][property]") {
    for (const Op& op : op_table())
        rc::prop(op.name + ": a drawn case evaluates, and replaying its draws gives the same case", [&op] {
            const auto seed = *rc::gen::arbitrary<std::uint64_t>();
            RandomDraw first(seed, {});
            OpCase c = op.generate(first);
            c.op = &op;
            const Evaluation e = evaluate_case(write_case(c, "drawn"), "drawn");
            RC_ASSERT(!e.outputs.empty());
            std::map<std::string, int> replay;
            for (const Drawn& d : first.drawn) replay[d.key] = d.value;
            RandomDraw again(seed + 1, {}, replay, first.pools);  // another seed: every integer and value comes from the record
            OpCase c2 = op.generate(again);
            c2.op = &op;
            RC_ASSERT(same(c, c2));
        });
}

TEST_CASE("op table: the draws do not depend on the standard library", "[ops]") {
    // Rng is the recurrence s <- 6364136223846793005 s + 1442695040888963407 (mod 2^64) from
    // s0 = 2862933555777941757 seed + 3037000493, returning s >> 33. The numbers below were computed from that
    // recurrence by Python's integers, apart from this code.
    Rng rng(1);
    CHECK(rng.next() == 104778636u);
    CHECK(rng.next() == 239118878u);
    CHECK(rng.next() == 217738972u);
    CHECK(rng.next() == 582502026u);
    // golden's values: k = (s >> 33) mod 64 - 32, 0 skipped, over 16; the first four of the seed 20261128 are the
    // first four values of golden/conv2d_basic.json's x
    Rng golden(20261128);
    CHECK(golden.nonzero_sixteenth() == -1.875);
    CHECK(golden.nonzero_sixteenth() == 1.5);
    CHECK(golden.nonzero_sixteenth() == 0.625);
    CHECK(golden.nonzero_sixteenth() == 1.125);
    // hunt's integers in [lo, hi] are lo + next() mod (hi - lo + 1): the first conv2d case of seed 1 has N = 1
    // (104778636 mod 3 = 0)
    RandomDraw d(1, {});
    const OpCase c = find_op("conv2d", "test").generate(d);
    CHECK(d.drawn.front().key == "n#0");
    CHECK(d.drawn.front().value == 1 + int(104778636u % 3u));
    CHECK(c.inputs.at("x").shape[0] == arma::uword(d.drawn.front().value));
}
