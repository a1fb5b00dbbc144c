"""The real-account acceptance suite: cfsign's whole lifecycle in a sandbox account you own.

Publishes the portfolios, provisions two teams, smoke-tests both, rotates their keys through
stage, promote and retire with the real waits between (the soak and the grace period, CloudFront
deploying each change), smoke-testing after every step, tears both teams down and removes
everything the run made. Every name it chooses carries a prefix unique to the run (acc-XXXXXX);
the products and the launch-role stack have fixed names, so the run refuses an account that
already runs cfsign, and an account other than the one named. It prints
what it will create, how long it takes and what it costs before it starts, and what it made and
removed at the end. On a failure or Ctrl-C it cleans up before it exits; when even that is cut
short, `--cleanup PREFIX` finishes the job from the run's state file.

Run it through tests/aws-account/run (README, "Testing on your own AWS account"). No test runs it
against AWS: CI runs it against the local emulator only (tests/account_suite.rs: the dry run,
the refusals, a whole run and a run stopped by a signal).
"""
import argparse
import json
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError

import cleanup

REPO = Path(__file__).resolve().parents[2]
STEPS = ("publish", "provision", "smoke", "rotate", "teardown")
LAUNCH_ROLE_STACK = "cfsign-launch-role"  # stdlib/catalog.rhai, launch_role_stack()
ROTATION = ("stage", "promote", "retire")
ROTATE_RETRIES = 3  # failed rotation runs in a row the suite tries again
# Minutes each step takes on AWS (docs/onboarding.md, "How long it takes"), beside the waits;
# teardown is per team (one after the other), the rest for both teams at once.
MINUTES = {"publish": 2, "provision": 15, "smoke": 1, "rotate": 15, "teardown": 20, "cleanup": 5}
PER_TEAM = ("teardown",)
# List prices (us-east-1, December 2026): a secret is $0.40 a month, prorated by the hour;
# Service Catalog calls beyond the free tier (1,000 a month) are $0.0007 each.
SECRET_MONTHLY = 0.40
CATALOG_CALL = 0.0007
# The Service Catalog calls of one run: those it makes against the emulator, where nothing
# waits (tests/account_suite.rs holds a whole run under this bound; 553 with seven products),
# plus the polls of the waits on AWS: cfsign reads a record at most every 10 s while a team's
# product changes, and during the soak and the grace period one rotation run a team every
# --poll seconds reads the team's products (about 10 calls).
CATALOG_CALLS_UNWAITED = 600
CATALOG_POLLS_PER_MINUTE = 6
CATALOG_CALLS_PER_ROTATION_RUN = 10
CHANGING = ("provision", "rotate", "teardown")


class Refused(Exception):
    """A reason not to start: printed as it is, exit status 2."""


class StepFailed(Exception):
    """A step of the lifecycle failed: exit status 1, after the cleanup."""


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="tests/aws-account/run",
        description="Runs cfsign's whole lifecycle (publish, two teams, smoke, key rotation, "
                    "teardown) in a sandbox AWS account you own, then removes what it made.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""examples:
  # what it would do, checking the account, certificate and zone (nothing is created)
  tests/aws-account/run --profile sandbox-admin --region eu-west-1 --account 111122223333 \\
      --domain cfsign-test.example.com --hosted-zone-id Z0123456789ABCDEFGHIJ \\
      --certificate-arn arn:aws:acm:us-east-1:111122223333:certificate/... --dry-run
  # the run itself, about 1 hour 45 minutes
  tests/aws-account/run ... --yes
  # finish the cleanup of a run that was cut short
  tests/aws-account/run --profile sandbox-admin --region eu-west-1 --account 111122223333 \\
      --cleanup acc-1a2b3c""")
    aws = parser.add_argument_group("the account")
    aws.add_argument("--profile", help="the AWS profile to run as: a role that administers the "
                     "sandbox account (required unless --endpoint-url)")
    aws.add_argument("--region", required=True, help="the region to run in")
    aws.add_argument("--account", required=True,
                     help="the account id the profile must sign in to; any other is refused")
    aws.add_argument("--endpoint-url", help="the local emulator instead of AWS (tests)")
    teams = parser.add_argument_group("the teams' domains")
    teams.add_argument("--domain", help="a domain in the hosted zone: team T gets T.DOMAIN")
    teams.add_argument("--hosted-zone-id", help="the Route 53 public hosted zone of --domain")
    teams.add_argument("--certificate-arn",
                       help="an issued ACM certificate in us-east-1 covering *.DOMAIN")
    run = parser.add_argument_group("the run")
    run.add_argument("--dry-run", action="store_true",
                     help="check the account and print the plan and cfsign's dry runs; "
                          "create nothing")
    run.add_argument("--yes", action="store_true", help="start without asking")
    run.add_argument("--stop-after", choices=STEPS[:-1],
                     help="stop after this step, then tear down and clean up")
    run.add_argument("--soak-time", default="15m",
                     help="how long a staged key soaks before promotion (default 15m)")
    run.add_argument("--grace-period", default="10m",
                     help="how long a retired key stays trusted (default 10m)")
    run.add_argument("--poll", type=int, default=60,
                     help="seconds between rotation runs while a step waits (default 60)")
    run.add_argument("--cleanup", metavar="PREFIX",
                     help="only remove what the run PREFIX made (from its state file)")
    run.add_argument("--cfsign", help="the cfsign binary (default: the checkout's "
                     "target/release or target/debug build, else cfsign on PATH)")
    run.add_argument("--work-dir", default=str(REPO / "target" / "aws-account"),
                     help="where each run keeps its state, vars files and logs")
    args = parser.parse_args(argv)
    if not args.profile and not args.endpoint_url:
        parser.error("--profile is required: the suite runs only as a profile you name")
    if not args.cleanup:
        missing = [f"--{n.replace('_', '-')}" for n in ("domain", "hosted_zone_id",
                                                        "certificate_arn")
                   if not getattr(args, n)]
        if missing:
            parser.error(f"{', '.join(missing)} required: the smoke test reaches each team "
                         "through its own domain")
    return args


class Suite:
    def __init__(self, args):
        self.args = args
        self.session = boto3.Session(profile_name=args.profile, region_name=args.region)
        self.binary = None  # found when first needed: a --cleanup needs none
        self.started = time.monotonic()
        self.outputs = []  # everything cfsign printed, checked for key material

    # --- what it talks to ---------------------------------------------------------------------

    def client(self, service, region=None):
        return self.session.client(service, region_name=region or self.args.region,
                                   endpoint_url=self.args.endpoint_url)

    def find_cfsign(self):
        if self.args.cfsign:
            return self.args.cfsign
        for build in ("release", "debug"):
            candidate = REPO / "target" / build / "cfsign"
            if candidate.is_file():
                return str(candidate)
        found = shutil.which("cfsign")
        if not found:
            raise Refused("no cfsign binary: build it (cargo build --release) or give "
                          "--cfsign PATH")
        return found

    def cfsign(self, step, recipe, *args):
        """`cfsign run recipes/RECIPE.rhai ARGS` as the profile: its progress (stderr) goes to
        the terminal as it comes, its JSON (--output json) is returned; both are logged and
        checked for key material."""
        self.binary = self.binary or self.find_cfsign()
        command = [self.binary, "run", f"recipes/{recipe}.rhai", "--region", self.args.region,
                   *(["--profile", self.args.profile] if self.args.profile else []),
                   *(["--endpoint-url", self.args.endpoint_url] if self.args.endpoint_url
                     else []), *args]
        self.say(f"$ cfsign run recipes/{recipe}.rhai {' '.join(args)}")
        with subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) as process:
            progress = []
            echo = threading.Thread(target=tee, args=(process.stderr, progress))
            echo.start()
            try:
                stdout = process.stdout.read()
                process.wait()
            except BaseException:
                # Ctrl-C or SIGTERM: stop cfsign too, so the cleanup starts now, not when a
                # 15-minute provisioning would have ended.
                process.terminate()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                raise
            finally:
                echo.join()
        stderr = "".join(progress)
        self.outputs += [stdout, stderr]
        with open(self.dir / f"{step}.log", "a") as log:
            log.write(f"$ {' '.join(command)}\n{stderr}{stdout}\n")
        if process.returncode != 0:
            raise StepFailed(f"{step}: cfsign run recipes/{recipe}.rhai failed "
                             f"(exit {process.returncode}): {(stdout + stderr).strip()[-2000:]}")
        if "--output" in args:
            return json.loads(stdout)
        print(stdout, end="")
        return None

    def say(self, text):
        elapsed = int(time.monotonic() - self.started)
        print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {text}", flush=True)

    # --- before anything is made --------------------------------------------------------------

    def identity(self):
        """The role the profile signs in as, in the account named; anything else is refused."""
        try:
            caller = self.client("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as error:
            raise Refused(f"cannot sign in with profile {self.args.profile}: {error}")
        if caller["Account"] != self.args.account:
            raise Refused(f"the profile signs in to account {caller['Account']}, not "
                          f"{self.args.account}: the suite runs only in the account you name")
        arn = caller["Arn"]
        if ":assumed-role/" not in arn:
            raise Refused(f"you run as {arn}, not a role: run as a role that administers the "
                          "sandbox (provisioning makes it the teams' automation role)")
        name = arn.split(":assumed-role/", 1)[1].split("/")[0]
        return arn, self.client("iam").get_role(RoleName=name)["Role"]["Arn"]

    def product_names(self):
        names = []
        for details in sorted(REPO.glob("products/*/product.json")):
            product = json.loads(details.read_text())
            if "provisionedAs" in product:
                names.append(product["name"])
        return names

    def check_account(self):
        """Refuses an account where cfsign runs already (the products and the launch-role
        stack have fixed names the run would change and then delete), and a certificate or
        zone the teams' domains cannot use."""
        catalog = self.client("servicecatalog")
        existing = {p["ProductViewSummary"]["Name"] for p in cleanup.pages(
            catalog.search_products_as_admin, "ProductViewDetails",
            Filters={"FullTextSearch": ["cfsign"]})}
        taken = sorted(existing & set(self.product_names()))
        if taken:
            raise Refused(f"this account already has cfsign's products ({', '.join(taken)}): "
                          "use a sandbox account where cfsign is not published")
        if cleanup.find_stack(self.client("cloudformation"), LAUNCH_ROLE_STACK):
            raise Refused(f"this account already has the stack {LAUNCH_ROLE_STACK}: use a "
                          "sandbox account where cfsign is not published")
        self.check_certificate()
        self.check_zone()

    def check_certificate(self):
        arn = self.args.certificate_arn
        if ":us-east-1:" not in arn:
            raise Refused(f"{arn} is not in us-east-1: CloudFront takes certificates from "
                          "us-east-1 only")
        try:
            certificate = self.client("acm", "us-east-1").describe_certificate(
                CertificateArn=arn)["Certificate"]
        except ClientError as error:
            raise Refused(f"certificate {arn}: {cleanup.code(error)}")
        names = set(certificate.get("SubjectAlternativeNames", [])) | {certificate["DomainName"]}
        if certificate["Status"] != "ISSUED" or f"*.{self.args.domain}" not in names:
            raise Refused(f"certificate {arn} is {certificate['Status']} for "
                          f"{', '.join(sorted(names))}: it must be ISSUED for *.{self.args.domain}")

    def check_zone(self):
        try:
            zone = self.client("route53").get_hosted_zone(Id=self.args.hosted_zone_id)
        except ClientError as error:
            raise Refused(f"hosted zone {self.args.hosted_zone_id}: {cleanup.code(error)}")
        name = zone["HostedZone"]["Name"].rstrip(".")
        if zone["HostedZone"]["Config"].get("PrivateZone") or not (
                self.args.domain == name or self.args.domain.endswith(f".{name}")):
            raise Refused(f"hosted zone {self.args.hosted_zone_id} ({name}) is not a public "
                          f"zone holding {self.args.domain}")

    # --- the plan -----------------------------------------------------------------------------

    def new_run(self):
        prefix = f"acc-{secrets.token_hex(3)}"
        teams = [f"{prefix}-a", f"{prefix}-b"]
        self.state = {
            "prefix": prefix, "account": self.args.account, "region": self.args.region,
            "teams": teams, "portfolio": f"cfsign-{prefix}",
            "artifact_bucket": f"cfsign-{prefix}-artifacts-{self.args.account}",
            "products": self.product_names(), "launch_role_stack": LAUNCH_ROLE_STACK,
            "domain": self.args.domain, "hosted_zone_id": self.args.hosted_zone_id,
            "shared_policies_before": cleanup.shared_policy_names(self.client("cloudfront")),
        }
        self.dir = Path(self.args.work_dir) / prefix
        self.dir.mkdir(parents=True, exist_ok=True)

    def steps(self):
        """The steps the run takes: up to --stop-after, then teardown and cleanup."""
        return set(STEPS[:self.last_step_index() + 1]) | {"teardown", "cleanup"}

    def wait_minutes(self):
        """The soak and the grace period, when the run rotates."""
        if "rotate" not in self.steps():
            return 0
        return duration_minutes(self.args.soak_time) + duration_minutes(self.args.grace_period)

    def minutes(self):
        teams = len(self.state["teams"])
        return sum(MINUTES[s] * (teams if s in PER_TEAM else 1)
                   for s in self.steps()) + self.wait_minutes()

    def catalog_calls(self):
        teams = len(self.state["teams"])
        changing = sum(MINUTES[s] for s in CHANGING if s in self.steps()) * teams
        rotation_runs = self.wait_minutes() * 60 // max(self.args.poll, 1) * teams
        return (CATALOG_CALLS_UNWAITED + changing * CATALOG_POLLS_PER_MINUTE
                + rotation_runs * CATALOG_CALLS_PER_ROTATION_RUN)

    def last_step_index(self):
        return STEPS.index(self.args.stop_after) if self.args.stop_after else len(STEPS) - 1

    def print_plan(self, role_arn):
        s = self.state
        hours = self.minutes() / 60
        portfolios = ", ".join(f"{s['portfolio']}-{t}" for t in s["teams"])
        secrets_cost = len(s["teams"]) * SECRET_MONTHLY * hours / 730
        catalog_cost = self.catalog_calls() * CATALOG_CALL
        lines = [
            f"account {s['account']}, region {s['region']}, as {role_arn}",
            f"run {s['prefix']} (state, vars files and logs in {self.dir})",
            "it creates, and removes at the end:",
            f"  Service Catalog: the products {', '.join(s['products'])}; the portfolios "
            f"{portfolios}",
            f"  the stack {s['launch_role_stack']} (the launch role) and the bucket "
            f"{s['artifact_bucket']} (templates)",
        ]
        for i, team in enumerate(s["teams"]):
            table = ", a DynamoDB table" if i == 0 else ""
            lines.append(f"  team {team}: a secret, public keys and a key group, a bucket, a "
                         f"CloudFront distribution on {team}.{self.args.domain} with its alias "
                         f"records in {self.args.hosted_zone_id}, an IAM role{table}")
        lines += [
            f"expected time: about {self.minutes()} minutes (the soak time "
            f"{self.args.soak_time} and grace period {self.args.grace_period} included)",
            f"expected cost: under ${secrets_cost + 0.01:.2f} at list prices, and up to "
            f"${catalog_cost:.2f} more for about {self.catalog_calls()} Service Catalog calls "
            f"if the month's free tier (1,000 calls) is used up",
        ]
        for line in lines:
            print(line)

    def confirm(self):
        if self.args.yes or self.args.endpoint_url:
            return
        if not sys.stdin.isatty():
            raise Refused("give --yes to start without a prompt")
        answer = input(f"type the account id ({self.args.account}) to start: ").strip()
        if answer != self.args.account:
            raise Refused("not started")

    def save_state(self):
        (self.dir / "state.json").write_text(json.dumps(self.state, indent=2) + "\n")

    def vars_file(self, name, content):
        path = self.dir / name
        path.write_text(json.dumps(content, indent=2) + "\n")
        return str(path)

    # --- the lifecycle ------------------------------------------------------------------------

    def publish_vars(self, role_arn):
        return self.vars_file("publish.json", {
            "teams": [{"team": t, "domain_name": f"{t}.{self.args.domain}",
                       "hosted_zone_id": self.args.hosted_zone_id} for t in self.state["teams"]],
            "portfolio": self.state["portfolio"], "principals": [role_arn],
            "artifact_bucket": self.state["artifact_bucket"],
        })

    def provision_vars(self):
        return self.vars_file("teams.json", {
            "teams": [{"team": t, "domain_name": f"{t}.{self.args.domain}",
                       "metadata_table": i == 0} for i, t in enumerate(self.state["teams"])],
            "certificate_arn": self.args.certificate_arn,
            "hosted_zone_id": self.args.hosted_zone_id,
            "portfolio": self.state["portfolio"],
        })

    def edge(self):
        """The emulator's edge stands in for the teams' domains when it is the endpoint."""
        return ["--var", f"edge={self.args.endpoint_url}"] if self.args.endpoint_url else []

    def dry_run(self, role_arn):
        self.cfsign("publish", "publish", "--vars-file", self.publish_vars(role_arn),
                    "--dry-run")
        print("dry run: the account was checked and nothing was created; provisioning, smoke "
              "tests and rotation need the published products, so they are not planned here")

    def lifecycle(self, role_arn):
        self.step("publish", lambda: self.cfsign(
            "publish", "publish", "--vars-file", self.publish_vars(role_arn), "--output",
            "json"))
        if self.stopped_after("publish"):
            return
        teams = self.provision_vars()
        cards = self.step("provision", lambda: self.cfsign(
            "provision", "provision", "--vars-file", teams, "--output", "json"))
        for card in cards["teams"]:
            self.say(f"team {card['team']}: key pair {card['key_pair_id']}, distribution "
                     f"{card['distribution_id']}")
        if self.stopped_after("provision"):
            return
        self.step("smoke", lambda: self.smoke("after provisioning"))
        if self.stopped_after("smoke"):
            return
        self.step("rotate", self.rotate)

    def step(self, name, action):
        self.say(f"== {name}")
        started = time.monotonic()
        result = action()
        self.say(f"== {name}: done in {int(time.monotonic() - started)} s")
        return result

    def stopped_after(self, step):
        if self.args.stop_after == step:
            self.say(f"stopping after {step} (--stop-after)")
            return True
        return False

    def smoke(self, when, teams=None):
        """The smoke test of `teams` (smoke.rhai fails unless every check of every team
        passes); on AWS a failure is tried again twice, a minute apart (a resolver that has not
        seen a new alias record yet)."""
        teams = teams or self.state["teams"]
        attempts = 1 if self.args.endpoint_url else 3
        for attempt in range(1, attempts + 1):
            try:
                self.cfsign("smoke", "smoke", "--var", f"teams={','.join(teams)}",
                            *self.edge(), "--output", "json")
                self.say(f"smoke test {when}: passed for {', '.join(teams)}")
                return
            except StepFailed:
                if attempt == attempts:
                    raise
                self.say(f"smoke test {when} failed (attempt {attempt}); again in 60 s")
                time.sleep(60)

    def rotate(self):
        """Rotation runs, one team at a time, until every team has staged, promoted and
        retired a key, with a smoke test after each step a run takes; a run that only waits
        (the soak, the grace period) is repeated after --poll seconds. Rotation starts at once
        (rotation_interval=0s) and stops for a team once it retires. One team a run: a run
        that fails for one team reports no step of the others (rotate.rhai throws)."""
        taken = {team: [] for team in self.state["teams"]}
        failures = {team: 0 for team in taken}
        limit = time.monotonic() + 60 * (self.wait_minutes() + 90)
        while pending := [t for t in taken if "retire" not in taken[t]]:
            if time.monotonic() > limit:
                raise StepFailed(f"rotation did not finish in time: {taken}")
            moved = [team for team in pending if self.rotate_once(team, taken, failures)]
            if not moved:
                time.sleep(self.args.poll)
        for team, steps in taken.items():
            order = [s for s in steps if s in ROTATION]
            if order != list(ROTATION):
                raise StepFailed(f"{team} rotated {steps}, not stage, promote, retire in order")

    def rotate_once(self, team, taken, failures):
        """One rotation run for `team`, then its smoke test if it took a step; whether it did.
        A failed run (a probe before every edge has the new key) is tried again by the next
        pass, up to ROTATE_RETRIES times in a row."""
        try:
            result = self.cfsign(
                "rotate", "rotate", "--var", f"team={team}", "--var", "rotation_interval=0s",
                "--var", f"soak_time={self.args.soak_time}",
                "--var", f"grace_period={self.args.grace_period}", *self.edge(),
                "--output", "json")
        except StepFailed as failure:
            failures[team] += 1
            if failures[team] > ROTATE_RETRIES:
                raise
            self.say(f"{team}: the rotation run failed ({failure}); the next pass tries again")
            return False
        failures[team] = 0
        rotation = result["rotations"][0]
        self.say(f"{team}: {rotation['step']}: {rotation['reason']}")
        if rotation["step"] in ("wait", "none"):
            return False
        taken[team].append(rotation["step"])
        self.smoke(f"after {rotation['step']}", [team])
        return True

    def teardown(self):
        for team in self.state["teams"]:
            self.cfsign("teardown", "teardown", "--var", f"team={team}", "--var",
                        "empty_bucket=true", "--var", "delete_table=true", "--var",
                        "recovery_days=7")

    def check_no_key_material(self):
        leaked = [i for i, text in enumerate(self.outputs) if "PRIVATE KEY" in text]
        if leaked:
            raise StepFailed("key material appeared in cfsign's output (see the logs)")

    def clean_up(self):
        self.say(f"== cleanup of run {self.state['prefix']}")
        left = cleanup.Cleanup(self.client, self.say,
                               poll=0.2 if self.args.endpoint_url else 15).run(self.state)
        if left:
            print(f"left behind (delete by hand, or run --cleanup {self.state['prefix']} again):")
            for line in left:
                print(f"  {line}")
            return False
        self.say(f"removed everything run {self.state['prefix']} made")
        (self.dir / "state.json").unlink(missing_ok=True)
        return True


def tee(stream, lines):
    """Copies `stream` to stderr as it comes, keeping it in `lines`."""
    for line in stream:
        lines.append(line)
        sys.stderr.write(line)
        sys.stderr.flush()


def duration_minutes(text):
    units = {"s": 1 / 60, "m": 1, "h": 60, "d": 1440}
    try:
        return int(float(text[:-1]) * units[text[-1]] + 0.999)
    except (KeyError, ValueError, IndexError):
        raise Refused(f"{text!r} is not a duration like 15m, 1h or 0s")


def interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv):
    args = parse(argv)
    # Ctrl-C and a terminating CI job both end the run through the cleanup.
    signal.signal(signal.SIGTERM, interrupt)
    try:
        suite = Suite(args)
        _, role_arn = suite.identity()
        if args.cleanup:
            return cleanup_only(suite, args.cleanup)
        suite.check_account()
        suite.new_run()
        suite.print_plan(role_arn)
        if args.dry_run:
            suite.dry_run(role_arn)
            shutil.rmtree(suite.dir)
            return 0
        suite.confirm()
    except Refused as refusal:
        print(f"tests/aws-account/run: refused: {refusal}", file=sys.stderr)
        return 2
    except (StepFailed, ClientError, BotoCoreError) as error:
        print(f"tests/aws-account/run: {error}", file=sys.stderr)
        return 1
    suite.save_state()
    failure = None
    try:
        suite.lifecycle(role_arn)
        suite.step("teardown", suite.teardown)
        suite.check_no_key_material()
    except BaseException as error:  # whatever stops the run, the cleanup runs
        failure = error
        print(f"tests/aws-account/run: {type(error).__name__}: {error}", file=sys.stderr)
        if not isinstance(error, (StepFailed, KeyboardInterrupt, ClientError, BotoCoreError)):
            traceback.print_exc()
    try:
        clean = suite.clean_up()
    except BaseException as error:
        print(f"tests/aws-account/run: the cleanup stopped ({type(error).__name__}: {error}); "
              f"finish it with --cleanup {suite.state['prefix']}", file=sys.stderr)
        return 1
    minutes = int(time.monotonic() - suite.started) // 60
    verdict = "FAILED" if failure else "passed"
    print(f"acceptance run {suite.state['prefix']} {verdict} in {minutes} min; "
          f"{'everything it made is gone' if clean else 'some resources are left (above)'}")
    return 1 if failure or not clean else 0


def cleanup_only(suite, prefix):
    path = Path(suite.args.work_dir) / prefix / "state.json"
    if not path.is_file():
        raise Refused(f"no state file {path}: was the run {prefix} started from this checkout?")
    suite.state = json.loads(path.read_text())
    if (suite.state["account"], suite.state["region"]) != (suite.args.account, suite.args.region):
        raise Refused(f"run {prefix} was in account {suite.state['account']}, region "
                      f"{suite.state['region']}: give those")
    suite.dir = path.parent
    return 0 if suite.clean_up() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
