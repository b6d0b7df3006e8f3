#!/usr/bin/env python3
"""Turns bench results (JSON from run_bench.py) into a Markdown table and a gnuplot PNG."""
import argparse
import json
import os
import shutil
import subprocess
import tempfile

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"


def ms(v):
    return f"{v:.2f}" if v < 10 else f"{v:.1f}"


def loop_rows(r):
    rows = []
    secs = None

    def add(label, x):
        nonlocal secs
        if not x:
            return
        secs = x["sent"] / x["rate"]
        rows.append((label, x))

    add("bare broker (floor)", r.get("floor"))
    add("Hearth, 1 rule per sensor", r.get("hearth"))
    for x in r.get("node_red", []):
        add(f"Node-RED {r.get('node_red_version', '')}, {x['rules']} rule(s)", x)
    add("bare broker, default mosquitto config", r.get("floor_default_broker"))
    add("Hearth, default mosquitto config", r.get("hearth_default_broker"))
    return rows


def goals(r):
    out = []
    floor, hearth = r.get("floor"), r.get("hearth")
    if floor and hearth and floor["p99_ms"] > 0:
        ratio = hearth["p99_ms"] / floor["p99_ms"]
        out.append(("Hearth p99 ≤ 2.5× bare broker p99 at the loop rate",
                    f"{ms(hearth['p99_ms'])} ms vs {ms(floor['p99_ms'])} ms = {ratio:.1f}×", ratio <= 2.5))
    tp = r.get("throughput", {})
    if "hearth" in tp and "node_red" in tp and tp["node_red"]["max_sustained"]:
        ratio = tp["hearth"]["max_sustained"] / tp["node_red"]["max_sustained"]
        out.append(("max sustained throughput ≥ 5× Node-RED's",
                    f"{tp['hearth']['max_sustained']:,} vs {tp['node_red']['max_sustained']:,} msg/s = {ratio:.1f}×"
                    + (" (Hearth's figure is the top step tried)" if tp["hearth"]["steps"][-1]["sustained"] else ""),
                    ratio >= 5))
    scale = r.get("rules_scaling", [])
    if len(scale) >= 2 and scale[0]["cpu_per_reading_us"] > 0:
        rise = scale[-1]["cpu_per_reading_us"] / scale[0]["cpu_per_reading_us"] - 1
        out.append((f"per-event cost {scale[0]['rules']:,} → {scale[-1]['rules']:,} rules rises ≤ 50 %",
                    f"{scale[0]['cpu_per_reading_us']:.1f} → {scale[-1]['cpu_per_reading_us']:.1f} µs CPU per reading "
                    f"({100 * rise:+.0f} %)", rise <= 0.5))
    fleet = r.get("fleet", [])
    if fleet:
        big = fleet[-1]
        out.append(("≤ 2 KiB of memory per registered device",
                    f"{big['per_device_bytes']:,.0f} bytes per device at {big['devices']:,} devices",
                    big["per_device_bytes"] <= 2048))
    st = r.get("startup")
    if st:
        out.append((f"{st['devices']:,} devices start in ≤ 1 s", f"{st['best_s']:.2f} s", st["best_s"] <= 1))
    v = r.get("voice", {})
    for via, label in (("mqtt", "MQTT assist"), ("rest", "POST /api/v1/conversation")):
        x = v.get(via)
        if x and x["complete"]:
            out.append((f"voice loop ({label}) p99 ≤ 5 ms", f"{ms(x['p99_ms'])} ms over {x['complete']} complete "
                        f"utterances ({x['incomplete']} incomplete)", x["p99_ms"] <= 5 and x["incomplete"] == 0))
    return out


def markdown(r):
    m = r["machine"]
    lines = [f"Measured {r['date']} on {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, Linux {m['kernel']}, "
             f"{m['mosquitto']}." + (" **Smoke run: tiny counts, figures meaningless.**" if r.get("smoke") else ""), ""]
    rows = loop_rows(r)
    if rows:
        x0 = rows[0][1]
        lines += [f"### Loop latency: {x0['sensors']:,} sensors at {x0['rate']:,.0f} readings/s",
                  "",
                  "Reading published → command received on the device's `set` topic (for the floor: the reading "
                  "itself received by a subscriber).",
                  "",
                  "| system | p50 ms | p90 ms | p99 ms | max ms | loss | commands/s | CPU | CPU µs/reading | RSS MiB |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for label, x in rows:
            secs = x["sent"] / x["rate"]
            lines.append(f"| {label} | {ms(x['p50_ms'])} | {ms(x['p90_ms'])} | {ms(x['p99_ms'])} | {ms(x['max_ms'])} | "
                         f"{x['loss_pct']:.2f} % | {x['commands_per_s']:,.0f} | {100 * x['cpu_s'] / secs:.0f} % | "
                         f"{x['cpu_per_reading_us']:.1f} | {x['rss_kib'] / 1024:.1f} |")
        lines.append("")
    scale = r.get("rules_scaling", [])
    if scale:
        lines += ["### Rules installed (10 of them fire; the rest watch other devices)", "",
                  "| rules | p50 ms | p99 ms | loss | CPU µs/reading | RSS MiB |", "|---:|---:|---:|---:|---:|---:|"]
        for x in scale:
            lines.append(f"| {x['rules']:,} | {ms(x['p50_ms'])} | {ms(x['p99_ms'])} | {x['loss_pct']:.2f} % | "
                         f"{x['cpu_per_reading_us']:.1f} | {x['rss_kib'] / 1024:.1f} |")
        lines.append("")
    tp = r.get("throughput", {})
    if tp:
        lines += ["### Max sustained throughput (< 1 % loss, p99 < 1 s, publish rate held)", "",
                  "| system | max sustained readings/s | steps tried (rate: loss, p99) |", "|---|---:|---|"]
        names = {"floor": "bare broker", "hearth": "Hearth", "node_red": "Node-RED"}
        for key, t in tp.items():
            steps = ", ".join(f"{x['rate']:,.0f}: {x['loss_pct']:.1f} %, {ms(x['p99_ms'])} ms" for x in t["steps"])
            top = " (top step)" if t["steps"] and t["steps"][-1]["sustained"] else ""
            lines.append(f"| {names.get(key, key)} | {t['max_sustained']:,}{top} | {steps} |")
        lines.append("")
    fleet = r.get("fleet", [])
    if fleet:
        lines += ["### Hub memory and CPU by registered devices (hearthd)", "",
                  "| devices | RSS MiB | bytes per device | learn all configs | CPU to learn | CPU µs/reading |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for x in fleet:
            lines.append(f"| {x['devices']:,} | {x['rss_kib'] / 1024:.1f} | {x['per_device_bytes']:,.0f} | "
                         f"{x['learn_s']:.2f} s | {x['learn_cpu_s']:.2f} s | {x['cpu_per_reading_us']:.1f} |")
        lines.append("")
    st = r.get("startup")
    if st:
        lines += [f"Start-up with {st['devices']:,} devices in SQLite (exec → `/api/v1/health` answering with all "
                  f"of them): {', '.join(f'{t:.2f} s' for t in st['seconds'])} (best {st['best_s']:.2f} s).", ""]
    v = r.get("voice", {})
    if v.get("mqtt") or v.get("rest"):
        lines += [f"### Voice loop: “{v['utterance']}” → the `{v['scene']}` scene's commands (demo home, hearth-fleet)",
                  "",
                  f"From the utterance sent until every command in the hub's reply (the scene's differences) has "
                  f"arrived on its device's `set` topic; `{v['reset_scene']}` is activated between utterances so that "
                  f"each one changes the devices again. Full plan: the reply commanded all {len(v['expect'])} scene "
                  "devices.",
                  "",
                  "| path | utterances | complete | incomplete | full plan | commands/utterance | p50 ms | p90 ms | "
                  "p99 ms | max ms | devices left out of the plan (runs) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for via, label in (("mqtt", "MQTT `hearth/assist/bedroom.speaker/text`"), ("rest", "POST /api/v1/conversation")):
            x = v.get(via)
            if not x:
                continue
            left = ", ".join(f"{d} ({n})" for d, n in x.get("unplanned", {}).items()) or "none"
            lines.append(f"| {label} | {x['utterances']} | {x['complete']} | {x['incomplete']} | {x['full_plan']} | "
                         f"{x['commands_per_utterance']:.2f} | {ms(x['p50_ms'])} | {ms(x['p90_ms'])} | "
                         f"{ms(x['p99_ms'])} | {ms(x['max_ms'])} | {left} |")
        rec = v.get("recognition")
        if rec:
            lines += ["", f"Recognition alone (hearth-nlu-bench, {rec['count']:,} recognitions of a bilingual mix, "
                      f"in-process): p50 {rec['p50_us']:.1f} µs, p90 {rec['p90_us']:.1f} µs, p99 {rec['p99_us']:.1f} µs, "
                      f"max {rec['max_us']:.1f} µs."]
        lines.append("")
    inst = r.get("rule_install", [])
    if inst:
        lines += ["### Rule installation over REST (`POST /api/v1/import`, 1,000 rules per request)", "",
                  "| scenario | rules | seconds |", "|---|---:|---:|"]
        for x in inst:
            lines.append(f"| {x['scenario']} | {x['rules']:,} | {x['seconds']:.2f} |")
        lines.append("")
    loads = [(label, x.get("loadavg_before")) for label, x in loop_rows(r)]
    loads += [(f"rules {x['rules']:,}", x.get("loadavg_before")) for x in scale]
    for key, t in tp.items():
        if t["steps"]:
            loads.append((f"throughput {key}, first step", t["steps"][0].get("loadavg_before")))
    loads += [(f"voice ({x['scenario']})", x["loadavg"]) for x in r.get("loadavg", [])]
    loads = [(a, b) for a, b in loads if b]
    if loads:
        lines += ["### Machine load before each scenario (/proc/loadavg: 1, 5, 15 min)", "",
                  "Other builds shared the 2 cores during the run; a load above 2 means the bench competed for CPU.", "",
                  "| scenario | load |", "|---|---|"]
        lines += [f"| {a} | {b} |" for a, b in loads]
        lines.append("")
    g = goals(r)
    if g:
        lines += ["### Goals", "", "| goal | measured | met |", "|---|---|---|"]
        for goal, value, ok in g:
            lines.append(f"| {goal} | {value} | {'yes' if ok else '**no**'} |")
        lines.append("")
    for note in r.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"


def plot(r, path):
    if not shutil.which("gnuplot"):
        print("report: gnuplot not installed, no plot")
        return
    rows = loop_rows(r)
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "lat.dat")
        with open(data, "w") as f:
            for label, x in rows:
                f.write(f"\"{label}\" {max(x['p50_ms'], 0.001)} {max(x['p90_ms'], 0.001)} "
                        f"{max(x['p99_ms'], 0.001)} {max(x['max_ms'], 0.001)}\n")
        script = f"""
set terminal pngcairo size 1100,560 font ",10"
set output "{path}"
set title "Sense-decide-respond loop latency ({rows[0][1]['rate']:.0f} readings/s, {rows[0][1]['sensors']} sensors)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set ylabel "ms (log scale)"
set yrange [0.01:*]
set grid ytics
set key top left
set xtics rotate by -20 scale 0
plot "{data}" using 2:xtic(1) title "p50", "" using 3 title "p90", "" using 4 title "p99", "" using 5 title "max"
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    p.add_argument("--markdown", required=True)
    p.add_argument("--plot")
    p.add_argument("--update", help="a Markdown file whose bench:begin/end section gets the table")
    p.add_argument("--json", help="copy the raw results here")
    a = p.parse_args()
    r = json.load(open(a.results))
    table = markdown(r)
    with open(a.markdown, "w") as f:
        f.write(table)
    if a.plot:
        plot(r, a.plot)
    if a.json:
        shutil.copyfile(a.results, a.json)
    if a.update:
        text = open(a.update).read()
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        with open(a.update, "w") as f:
            f.write(text[:start] + "\n" + table + text[end:])


if __name__ == "__main__":
    main()
