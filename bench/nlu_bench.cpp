// hearth-nlu-bench: recognition latency against the demo home.
//
// Builds the demo home (sim/homes/demo.yaml) into a registry, a default scene catalogue and a
// recogniser, then recognises a fixed mix of Chinese and English utterances many times and prints
// the median, p90 and p99 latency of one recognize() call, overall and per utterance. Build with the
// release preset for meaningful figures.
//
// Usage: hearth-nlu-bench [--rounds N] [--home PATH]
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "proto/home.hpp"
#include "nlu/recognizer.hpp"

namespace nlu = hearth::nlu;
namespace proto = hearth::proto;
using Clock = std::chrono::steady_clock;

namespace {

struct Utterance {
    std::string text;
    const char* area;
};

const std::vector<Utterance> kMix = {
    {"我困了", "bedroom"},
    {"把卧室空调调到二十五点五度", "bedroom"},
    {"客厅灯调亮一点", "living_room"},
    {"可厅的等打开", "living_room"},
    {"开灯", "kitchen"},
    {"卧室空调调高两度", "bedroom"},
    {"把客廳窗簾調到百分之五十", "living_room"},
    {"好热啊", "bedroom"},
    {"卧室温度是多少？", "bedroom"},
    {"我不困", "bedroom"},
    {"暂停", "bedroom"},
    {"撤销", "bedroom"},
    {"turn off the kitchen light", "kitchen"},
    {"I'm tired", "bedroom"},
    {"set the bedroom light to 30%", "bedroom"},
    {"a bit warmer", "bedroom"},
    {"is the front door lock locked?", "entrance"},
    {"don't turn off the lights", "living_room"},
    {"turn on the kitchn light", "kitchen"},
    {"what's the weather like tomorrow", "study"},
    {"把客厅的灯打开然后关掉卧室空调", "living_room"},
    {"我困了，但是把玄关灯开着", "bedroom"},
    {"turn on the kitchen light and turn off the bedroom AC", "kitchen"},
};

// Pads to a column width counting wide (CJK) characters as two columns.
std::string padded(const std::string& s, std::size_t width) {
    std::size_t columns = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        columns += length >= 3 ? 2 : 1;
        i += length;
    }
    return s + std::string(columns < width ? width - columns : 1, ' ');
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[i];
}

}  // namespace

int main(int argc, char** argv) {
    std::string home_path = std::string(HEARTH_SOURCE_DIR) + "/sim/homes/demo.yaml";
    int rounds = 2000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--rounds" && i + 1 < argc) rounds = std::max(1, std::stoi(argv[++i]));
        else if (a == "--home" && i + 1 < argc) home_path = argv[++i];
        else {
            std::cerr << "usage: hearth-nlu-bench [--rounds N] [--home PATH]\n";
            return 2;
        }
    }
    std::ifstream in(home_path);
    std::stringstream yaml;
    yaml << in.rdbuf();
    const auto home = proto::home_from_yaml(yaml.str());
    if (!home) {
        std::cerr << "cannot load " << home_path << ": " << home.error() << "\n";
        return 1;
    }
    hearth::devices::Registry registry;
    for (const auto& a : home->areas) registry.upsert_area(a);
    for (const auto& d : home->devices) {
        registry.upsert(d.description);
        registry.set_availability(d.description.id, hearth::devices::Availability::online);
    }
    registry.apply_state(proto::DeviceId("bedroom.ac"), {{"on", true}, {"target_temperature", 26.0}, {"temperature", 29.0}});
    registry.apply_state(proto::DeviceId("living_room.ceiling_light"), {{"on", true}, {"brightness", 50.0}});

    nlu::Vocabulary vocabulary;
    for (const auto& [id, zh, en] : std::vector<std::tuple<const char*, const char*, const char*>>{
             {"sleep", "睡眠模式", "sleep mode"}, {"wake_up", "起床模式", "wake up mode"}, {"away", "离家模式", "away mode"},
             {"home", "回家模式", "home mode"}, {"movie", "观影模式", "movie mode"}, {"reading", "阅读模式", "reading mode"}})
        vocabulary.scenes.push_back({proto::SceneId(id), {zh, en}, std::nullopt});

    const auto t0 = Clock::now();
    const auto& normalizer = nlu::shared_normalizer();
    const auto t1 = Clock::now();
    nlu::Recognizer recognizer(registry, vocabulary, normalizer);
    const auto t2 = Clock::now();
    std::cout << "normaliser build (ICU tables, once per process): "
              << std::chrono::duration<double, std::milli>(t1 - t0).count() << " ms\n";
    std::cout << "recogniser build (demo home, " << registry.size() << " devices): "
              << std::chrono::duration<double, std::micro>(t2 - t1).count() << " us\n";

    std::vector<std::vector<double>> per(kMix.size());
    std::vector<double> all;
    all.reserve(kMix.size() * static_cast<std::size_t>(rounds));
    std::size_t sink = 0;
    for (int round = -50; round < rounds; ++round) {  // the first 50 rounds warm the caches
        for (std::size_t i = 0; i < kMix.size(); ++i) {
            const nlu::Request request{kMix[i].text, proto::AreaId(kMix[i].area), "bench", {}};
            const auto start = Clock::now();
            const auto u = recognizer.recognize(request, registry);
            const auto stop = Clock::now();
            sink += u.speech.size();
            if (round < 0) continue;
            const double us = std::chrono::duration<double, std::micro>(stop - start).count();
            per[i].push_back(us);
            all.push_back(us);
        }
    }
    std::cout << std::fixed << std::setprecision(1);
    std::cout << "\n" << std::left << std::setw(44) << "utterance" << std::right << std::setw(10) << "median" << std::setw(10)
              << "p99" << "   outcome\n";
    for (std::size_t i = 0; i < kMix.size(); ++i) {
        const auto u = recognizer.recognize({kMix[i].text, proto::AreaId(kMix[i].area), "bench", {}}, registry);
        std::cout << padded(kMix[i].text, 44) << std::right << std::setw(8) << percentile(per[i], 0.5)
                  << "us" << std::setw(8) << percentile(per[i], 0.99) << "us   " << nlu::to_string(u.outcome)
                  << (u.intent ? " " + u.intent->name : "") << "\n";
    }
    std::cout << "\nall " << all.size() << " recognitions: median " << percentile(all, 0.5) << " us, p90 "
              << percentile(all, 0.9) << " us, p99 " << percentile(all, 0.99) << " us, max "
              << *std::max_element(all.begin(), all.end()) << " us\n";
    return sink == 0 ? 1 : 0;
}
