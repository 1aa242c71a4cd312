#!/usr/bin/env bash
# Usage: pagetimes.sh BASE N — median and p95 time to first byte of each page, signed in per role.
set -euo pipefail
B=$1; N=${2:-30}; T=acme-bank; J=$(mktemp -d)
login() { # $1 role-jar $2 email
  curl -s -c $J/$1 -b $J/$1 $B/t/$T/login > $J/$1.html
  tok=$(grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' $J/$1.html | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -c $J/$1 -b $J/$1 -o /dev/null -X POST $B/t/$T/login --data-urlencode "email=$2" --data-urlencode "password=Demo-pass-2026" --data-urlencode "__RequestVerificationToken=$tok"
}
login customer customer@$T.example; login agent agent1@$T.example; login admin admin@$T.example
TICKET=$(curl -s -b $J/admin $B/t/$T/tickets | grep -o "/t/$T/tickets/[0-9a-f-]\{36\}" | tail -1)
measure() { # $1 jar $2 path
  for i in $(seq $N); do curl -s -o /dev/null -b $J/$1 -w '%{time_starttransfer}\n' "$B$2"; done | sort -n |
    awk -v p="$2 ($1)" '{a[NR]=$1} END {printf "| %-40s | %6.1f | %6.1f |\n", p, a[int(NR/2)+1]*1000, a[int(NR*0.95)]*1000}'
}
echo "| page (role) | median ms | p95 ms |"; echo "|---|---|---|"
measure admin /; measure customer /t/$T/login
measure customer /t/$T/tickets; measure customer /t/$T/tickets/new; measure customer $TICKET; measure customer /t/$T/account
measure agent /t/$T/tickets; measure agent $TICKET
measure admin /t/$T/tickets; measure admin $TICKET; measure admin /t/$T/admin/agents; measure admin /t/$T/admin/customers; measure admin /t/$T/admin/settings
rm -rf $J
