# bash completion for aip-account(1); the front's completion hands `aip account ...` to _aip_account.
_aip_account() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=${COMP_WORDS[1]}
  if [[ $COMP_CWORD -eq 1 ]]; then
    mapfile -t COMPREPLY < <(compgen -W "import report db ingest fairshare --help --version" -- "$cur")
    return
  fi
  local metrics="jobs wall_hours cpu_hours used_cpu_hours cpu_eff_pct gpu_hours used_gpu_hours gpu_eff_pct mem_eff_pct wait_hours"
  case $prev in
    --from) mapfile -t COMPREPLY < <(compgen -W "sacct swf apel" -- "$cur"); return ;;
    --by)
      local words="user project vo site queue state gpu_model cores hour day week month quarter year"
      local head="" last=$cur
      if [[ $cur == *,* ]]; then head=${cur%,*},; last=${cur##*,}; fi
      mapfile -t COMPREPLY < <(compgen -P "$head" -W "$words" -- "$last"); compopt -o nospace; return ;;
    --sort|--chart-metric) mapfile -t COMPREPLY < <(compgen -W "$metrics" -- "$cur"); return ;;
    --resource) mapfile -t COMPREPLY < <(compgen -W "cpu gpu" -- "$cur"); return ;;
    -f|--format)
      if [[ $cmd == fairshare ]]; then mapfile -t COMPREPLY < <(compgen -W "table csv jsonl json" -- "$cur")
      else mapfile -t COMPREPLY < <(compgen -W "table csv jsonl json svg apel" -- "$cur"); fi
      return ;;
    --where) mapfile -t COMPREPLY < <(compgen -W "user= project= vo= site= queue= state= gpu_model= gpus> cores> wall_s> cpu_s> exit_code!= gpu_util_mean<" -- "$cur"); compopt -o nospace; return ;;
    -o|--output|--shares) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --db|--site|--vo|--since|--until|--top|--title|--submit-host|--service-level|--half-life|--now) return ;;
  esac
  local opts
  case $cmd in
    import) opts="--from --site --vo --utc --skip-invalid --output --help" ;;
    report) opts="--by --where --since --until --top --sort --chart-metric --title --submit-host --service-level --skip-invalid --raw --db --output --format --help" ;;
    db)
      if [[ $cur != -* ]]; then mapfile -t COMPREPLY < <(compgen -W "init migrate version rebuild-rollups" -- "$cur"); return; fi
      opts="--db --help" ;;
    ingest) opts="--db --no-wait --skip-invalid --help" ;;
    fairshare) opts="--shares --half-life --now --resource --skip-invalid --db --output --format --help" ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -F _aip_account aip-account
