"""junit_outcomes.py - the outcome of each test case in a JUnit XML report
(CPython's regrtest --junit-xml), one "name outcome" line per case, sorted; outcome is ok, skipped, failure or error.  Prints
"no report" when the file is missing or unreadable (a run that crashed
writes none), so that the lines of two runs can be compared with diff.

    python3 junit_outcomes.py REPORT.xml
"""
import sys
import xml.etree.ElementTree as ET


def outcome(case):
    for child in case:
        if child.tag in ("failure", "error", "skipped"):
            return child.tag
    return "ok"


def name(case):
    cls = case.get("classname")
    return f"{cls}.{case.get('name')}" if cls else case.get("name")


def main(path):
    try:
        cases = ET.parse(path).iter("testcase")
    except (OSError, ET.ParseError) as e:
        print("no report:", type(e).__name__)
        return
    lines = [f"{name(c)} {outcome(c)}" for c in cases]
    print("\n".join(sorted(lines)) if lines else "no test cases")


if __name__ == "__main__":
    main(sys.argv[1])
