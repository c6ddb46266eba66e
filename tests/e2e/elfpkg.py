"""Native test executables that identify as Atera: an ELF package note whose
vendor identity maps to ProcessVersionInfoCompanyName (no Wine needed)."""
import json
import subprocess

from seed_rule import RULE_ID

ATERA = "Atera Networks Ltd."
ATERA_NOTE = json.dumps({"type": "deb", "name": "ateraagent", "version": "1.0",
                         "vendor": ATERA})

SLEEPER = "#include <unistd.h>\nint main(void) { sleep(3); return 0; }\n"
QUICK = "int main(void) { return 0; }\n"


def build_elf(path, source=QUICK, note=ATERA_NOTE):
    """Compiles @source to @path; with @note, as an ELF carrying that package note."""
    cmd = ["gcc", "-O1", "-x", "c", "-", "-o", str(path)]
    if note:
        cmd += ["-Xlinker", f"--package-metadata={note}"]  # -Wl would split at commas
    subprocess.run(cmd, input=source.encode(), check=True)
    return str(path)


def is_atera(ev):
    return ev.get("ProcessVersionInfoCompanyName") == ATERA


def matched(records, rule=RULE_ID):
    """The events @rule matched, whoever exec'd them (the machine is shared)."""
    return [r for r in records if r.get("RecordType") == "DeviceProcessEvents"
            and rule in (r.get("MatchedRules") or [])]


def last_alert_count(records, rule=RULE_ID):
    """Count of @rule's last Alert: the group's total (one device, one group)."""
    alerts = [r for r in records if r.get("RecordType") == "Alert" and r["RuleId"] == rule]
    return alerts[-1]["Count"] if alerts else 0
