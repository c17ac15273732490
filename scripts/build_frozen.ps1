# Windows: build the one-folder app and the installer. Run from the checkout's root in PowerShell:
#   py -3.11 -m venv .venv ; .venv\Scripts\pip install -e ".[dev]"
#   powershell -ExecutionPolicy Bypass -File scripts\build_frozen.ps1
# Needs Inno Setup 6 (iscc.exe on PATH) for the installer step.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$env:PYTHONPATH = (Get-Location).Path
.venv\Scripts\pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller packaging\breach-desk.spec
.venv\Scripts\python -c "import incident_app; print(incident_app.__version__)" | Set-Variable version
$env:BREACH_DESK_VERSION = $version
iscc packaging\windows\breach-desk.iss
Write-Host "installer: dist\BreachDesk-Setup-$version.exe"
