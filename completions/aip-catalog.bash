# bash completion for aip-catalog(1); the front's completion hands `aip catalog ...` to _aip_catalog.
_aip_catalog() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=${COMP_WORDS[1]}
  if [[ $COMP_CWORD -eq 1 ]]; then
    mapfile -t COMPREPLY < <(compgen -W "validate migrate sync list search show render --help --version" -- "$cur")
    return
  fi
  case $prev in
    --metadata-version) mapfile -t COMPREPLY < <(compgen -W "1.0.0 2.0.0 2.1.0 2.2.0 2.3.0" -- "$cur"); return ;;
    --list-format) mapfile -t COMPREPLY < <(compgen -W "auto gitmodules modules-yml lines" -- "$cur"); return ;;
    -f|--format)
      case $cmd in
        validate) mapfile -t COMPREPLY < <(compgen -W "text jsonl json sarif" -- "$cur") ;;
        migrate) mapfile -t COMPREPLY < <(compgen -W "yaml json" -- "$cur") ;;
        show) mapfile -t COMPREPLY < <(compgen -W "text json jsonl" -- "$cur") ;;
        *) mapfile -t COMPREPLY < <(compgen -W "table jsonl json" -- "$cur") ;;
      esac
      return ;;
    --task) mapfile -t COMPREPLY < <(compgen -W "'Computer Vision' 'Natural Language Processing' 'Time Series' Classification Regression Other" -- "$cur"); return ;;
    --library) mapfile -t COMPREPLY < <(compgen -W "TensorFlow PyTorch Keras Scikit-learn XGBoost LightGBM CatBoost Other" -- "$cur"); return ;;
    --category) mapfile -t COMPREPLY < <(compgen -W "'AI4 pre trained' 'AI4 trainable' 'AI4 inference' 'AI4 tools'" -- "$cur"); return ;;
    --out)
      if [[ $cmd == render ]]; then mapfile -t COMPREPLY < <(compgen -d -- "$cur"); else mapfile -t COMPREPLY < <(compgen -f -- "$cur"); fi
      return ;;
    --state-dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    --schema|-o|--output) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --max-size|--jobs|-j|--timeout|--connect-timeout|--retries|--retry-delay|--raw-url|--tag|--max-memory|--title) return ;;
  esac
  local opts
  case $cmd in
    validate) opts="--strict --metadata-version --schema --max-size --quiet --output --format --help" ;;
    migrate) opts="--max-size --output --format --help" ;;
    sync) opts="--out --list-format --jobs --timeout --connect-timeout --retries --retry-delay --raw-url --state-dir --no-cache --strict --max-size --fail-invalid --help" ;;
    list|search) opts="--tag --task --library --category --gpu --no-gpu --max-memory --valid --invalid --output --format --help" ;;
    show) opts="--output --format --help" ;;
    render) opts="--out --title --help" ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -F _aip_catalog aip-catalog
