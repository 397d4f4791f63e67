package dev.pgfly.testkit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it rejects
 * what Prometheus would reject and a little more — samples before their family's TYPE, a family
 * split in two, a repeated series, bad names, bad escapes, histograms whose buckets are not cumulative.
 */
public final class PromText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public record Family(String name, String type, String help, List<Sample> samples) {
        /** The samples whose labels include all of {@code match}. */
        public List<Sample> where(Map<String, String> match) {
            return samples.stream().filter(s -> s.labels().entrySet().containsAll(match.entrySet())).toList();
        }
    }

    private final Map<String, Family> families;

    private PromText(Map<String, Family> families) {
        this.families = families;
    }

    public Map<String, Family> families() {
        return families;
    }

    public Optional<Family> family(String name) {
        return Optional.ofNullable(families.get(name));
    }

    /** The single sample of {@code name} with exactly these labels (pairs: name, value, ...). */
    public Optional<Double> value(String name, String... labels) {
        Map<String, String> want = new TreeMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        return families.values().stream().flatMap(f -> f.samples().stream())
                .filter(s -> s.name().equals(name) && s.labels().equals(want))
                .map(Sample::value).findFirst();
    }

    public static PromText parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> seenSeries = new HashSet<>();
        String current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + lineNo + ": ";
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("TYPE") || parts[1].equals("HELP"))) {
                    String name = parts[2];
                    require(METRIC_NAME.matcher(name).matches(), where + "bad metric name " + name);
                    if (parts[1].equals("TYPE")) {
                        require(parts.length == 4 && TYPES.contains(parts[3]), where + "bad TYPE line: " + line);
                        require(!types.containsKey(name), where + "second TYPE for " + name);
                        require(!samples.containsKey(name), where + "TYPE after samples of " + name);
                        types.put(name, parts[3]);
                    } else {
                        require(!helps.containsKey(name), where + "second HELP for " + name);
                        helps.put(name, parts.length == 4 ? unescapeHelp(parts[3]) : "");
                    }
                    if (current != null && !current.equals(name)) {
                        closed.add(current);
                    }
                    require(!closed.contains(name), where + "family " + name + " appears twice");
                    current = name;
                }
                continue;
            }
            Sample s = parseSample(line, where);
            String family = familyOf(s.name(), types);
            require(family != null || !types.containsKey(s.name()), where + "sample " + s.name() + " has no family");
            if (family == null) {
                family = s.name(); // untyped without a TYPE line
            }
            if (current != null && !current.equals(family)) {
                closed.add(current);
            }
            require(!closed.contains(family), where + "family " + family + " appears twice");
            current = family;
            require(seenSeries.add(s.name() + s.labels()), where + "repeated series " + s.name() + s.labels());
            samples.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> names = new HashSet<>(types.keySet());
        names.addAll(samples.keySet());
        for (String name : names) {
            Family f = new Family(name, types.getOrDefault(name, "untyped"), helps.get(name),
                    samples.getOrDefault(name, List.of()));
            if (f.type().equals("histogram")) {
                checkHistogram(f);
            }
            families.put(name, f);
        }
        return new PromText(families);
    }

    private static String familyOf(String sampleName, Map<String, String> types) {
        if (types.containsKey(sampleName)) {
            return sampleName;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count", "_created")) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                String type = types.get(base);
                if ("histogram".equals(type) || "summary".equals(type)) {
                    return base;
                }
            }
        }
        return null;
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> bySeries = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            if (s.name().endsWith("_bucket")) {
                Map<String, String> rest = new TreeMap<>(s.labels());
                require(rest.remove("le") != null, f.name() + ": bucket without le");
                bySeries.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
            }
        }
        for (var e : bySeries.entrySet()) {
            double previous = 0;
            double previousLe = Double.NEGATIVE_INFINITY;
            Sample last = null;
            for (Sample b : e.getValue()) {
                double le = parseValue(b.labels().get("le"), f.name() + " le");
                require(le > previousLe, f.name() + ": buckets out of order");
                require(b.value() >= previous, f.name() + ": buckets not cumulative");
                previous = b.value();
                previousLe = le;
                last = b;
            }
            require(last != null && Double.isInfinite(previousLe), f.name() + ": no +Inf bucket");
            Map<String, String> countLabels = new TreeMap<>(e.getKey());
            double count = f.samples().stream().filter(s -> s.name().equals(f.name() + "_count")
                    && new TreeMap<>(s.labels()).equals(countLabels)).map(Sample::value).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(f.name() + ": no _count"));
            require(count == last.value(), f.name() + ": +Inf bucket differs from _count");
        }
    }

    private static Sample parseSample(String line, String where) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(METRIC_NAME.matcher(name).matches(), where + "bad metric name '" + name + "'");
        Map<String, String> labels = new TreeMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                require(i < n, where + "unterminated labels");
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                require(eq > i, where + "label without '='");
                String label = line.substring(i, eq);
                require(LABEL_NAME.matcher(label).matches(), where + "bad label name '" + label + "'");
                i = eq + 1;
                require(i < n && line.charAt(i) == '"', where + "label value not quoted");
                i++;
                StringBuilder value = new StringBuilder();
                while (true) {
                    require(i < n, where + "unterminated label value");
                    char c = line.charAt(i);
                    if (c == '\\') {
                        require(i + 1 < n, where + "dangling escape");
                        char e = line.charAt(i + 1);
                        switch (e) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException(where + "bad escape \\" + e);
                        }
                        i += 2;
                    } else if (c == '"') {
                        i++;
                        break;
                    } else {
                        value.append(c);
                        i++;
                    }
                }
                require(labels.put(label, value.toString()) == null, where + "repeated label " + label);
                if (i < n && line.charAt(i) == ',') {
                    i++;
                }
            }
        }
        require(i < n && line.charAt(i) == ' ', where + "no value");
        String[] rest = line.substring(i + 1).split(" ");
        require(rest.length == 1 || rest.length == 2, where + "expected a value and an optional timestamp");
        double value = parseValue(rest[0], where + "value");
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "bad timestamp " + rest[1]);
            }
        }
        return new Sample(name, labels, value);
    }

    private static double parseValue(String s, String what) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(what + ": not a number: " + s);
                }
            }
        };
    }

    private static String unescapeHelp(String s) {
        return s.replace("\\n", "\n").replace("\\\\", "\\");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
