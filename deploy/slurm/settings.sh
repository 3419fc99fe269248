# The settings every Slurm script of probelab shares, with their defaults (sourced by submit.sh,
# shards.sbatch and merge.sbatch; see submit.sh --help). Also: the sbatch options of a task, and
# the settings as a line of shell that a printed rerun command starts with.
PROBELAB_MODE=${PROBELAB_MODE:-stages}
PROBELAB_CONFIG=${PROBELAB_CONFIG:-configs/smoke.json}
PROBELAB_TASKS=${PROBELAB_TASKS:-4}
PROBELAB_SHARDS=${PROBELAB_SHARDS:-2}
PROBELAB_CPUS=${PROBELAB_CPUS:-2}
PROBELAB_MEM=${PROBELAB_MEM:-4G}
PROBELAB_TIME=${PROBELAB_TIME:-08:00:00}
PROBELAB_STOP_SECONDS=${PROBELAB_STOP_SECONDS:-300}
PROBELAB_THROTTLE=${PROBELAB_THROTTLE:-}
PROBELAB_SBATCH_ARGS=${PROBELAB_SBATCH_ARGS:-}
PROBELAB_SETUP=${PROBELAB_SETUP:-}
PROBELAB_ARGS=${PROBELAB_ARGS:-}
# The run's name, which submit.sh reads from its plan: each task then knows its folder without planning.
PROBELAB_NAME=${PROBELAB_NAME:-}
export PROBELAB_MODE PROBELAB_CONFIG PROBELAB_TASKS PROBELAB_SHARDS PROBELAB_CPUS PROBELAB_MEM PROBELAB_TIME \
  PROBELAB_STOP_SECONDS PROBELAB_THROTTLE PROBELAB_SBATCH_ARGS PROBELAB_SETUP PROBELAB_ARGS PROBELAB_NAME

# The array's task count for sbatch --array: "1-n" or "1-n%throttle".
array_range() {
  echo "1-$1${PROBELAB_THROTTLE:+%$PROBELAB_THROTTLE}"
}

# sbatch options of every task: resources, a clean stop before the time limit (SIGTERM to the
# runner, which ends with exit 130 and a resumable folder), the log, and the user's own options.
task_options() {
  local extra
  read -ra extra <<<"$PROBELAB_SBATCH_ARGS"
  printf '%s\n' --export=ALL --chdir="$PROBELAB_DIR" --cpus-per-task="$PROBELAB_CPUS" --mem="$PROBELAB_MEM" \
    --time="$PROBELAB_TIME" --signal="B:TERM@$PROBELAB_STOP_SECONDS" \
    --output="$PROBELAB_LOGS/slurm-task-%A_%a.out" "${extra[@]}"
}

# The settings as shell words (each quoted), for a command a user pastes to rerun something.
settings_line() {
  local name words=()
  for name in PROBELAB_DIR PROBELAB_MODE PROBELAB_CONFIG PROBELAB_TASKS PROBELAB_SHARDS PROBELAB_CPUS \
    PROBELAB_MEM PROBELAB_TIME PROBELAB_STOP_SECONDS PROBELAB_OUT PROBELAB_NAME PROBELAB_LOGS PROBELAB_THROTTLE \
    PROBELAB_SBATCH_ARGS PROBELAB_SETUP PROBELAB_ARGS; do
    [ -n "${!name}" ] && words+=("$name=$(printf '%q' "${!name}")")
  done
  echo "${words[*]}"
}
