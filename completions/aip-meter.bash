# bash completion for aip-meter(1); the front's completion hands `aip meter ...` to _aip_meter.
_aip_meter() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=${COMP_WORDS[1]}
  if [[ $COMP_CWORD -eq 1 ]]; then
    mapfile -t COMPREPLY < <(compgen -W "sample summarize idle --help --version" -- "$cur")
    return
  fi
  case $prev in
    --source) mapfile -t COMPREPLY < <(compgen -W "auto cgroup proc" -- "$cur"); return ;;
    --gpu) mapfile -t COMPREPLY < <(compgen -W "auto nvml nvidia-smi none" -- "$cur"); return ;;
    --proc-memory) mapfile -t COMPREPLY < <(compgen -W "pss rss" -- "$cur"); return ;;
    -f|--format)
      case $cmd in
        sample) mapfile -t COMPREPLY < <(compgen -W "jsonl prometheus" -- "$cur") ;;
        summarize) mapfile -t COMPREPLY < <(compgen -W "jsonl table" -- "$cur") ;;
        *) mapfile -t COMPREPLY < <(compgen -W "jsonl table csv" -- "$cur") ;;
      esac
      return ;;
    --cgroup-root|--proc-root) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    -o|--output|--jobs) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --nvidia-smi) mapfile -t COMPREPLY < <(compgen -c -- "$cur"); return ;;
    --interval|--count|-j|--job|--pgid|--session|--host|--site|--gpu-util-below|--for) return ;;
  esac
  local opts
  case $cmd in
    sample) opts="--once --follow --interval --count --job --source --cgroup-root --proc-root --pgid --session --proc-memory --gpu --nvidia-smi --host --jobs --output --format --help" ;;
    summarize) opts="--site --output --format --help" ;;
    idle) opts="--gpu-util-below --for --output --format --help" ;;
  esac
  if [[ $cur == -* || $cmd == sample ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -F _aip_meter aip-meter
