# bash completion for aip-sqa-check(1); the front's completion hands `aip sqa-check ...` to _aip_sqa_check.
_aip_sqa_check() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
    --require) mapfile -t COMPREPLY < <(compgen -W "bronze silver gold" -- "$cur"); return ;;
    -f|--format) mapfile -t COMPREPLY < <(compgen -W "table jsonl json sarif markdown badge junit" -- "$cur"); return ;;
    --linters) mapfile -t COMPREPLY < <(compgen -W "cppcheck shellcheck flake8 bandit yamllint licensecheck reuse" -- "$cur"); return ;;
    -o|--output) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --license-dir|--path) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    --min-score|--coverage-threshold|--ignore|--waive) return ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "--path --require --min-score --coverage-threshold --ignore --waive --no-v-prefix --verify-swhid --run-linters --linters --license-dir --no-project-config --output --format --help --version" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
  fi
}
complete -F _aip_sqa_check aip-sqa-check
