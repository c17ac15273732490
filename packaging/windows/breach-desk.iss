; Inno Setup 6 script: turns the PyInstaller folder dist\breach-desk\ (built on Windows with
; scripts\build_frozen.ps1 or `pyinstaller packaging\breach-desk.spec`) into BreachDesk-Setup.exe.
; Per-user install (no administrator rights needed, which officers' workstations often withhold).
; Build: iscc packaging\windows\breach-desk.iss   (from the checkout's root)

#define AppName "Breach Desk"
#define AppVersion GetEnv("BREACH_DESK_VERSION")
#if AppVersion == ""
  #define AppVersion "0.2.0"
#endif

[Setup]
AppId={{6B4B1C55-0E3A-4F4B-9C61-6E2D8E1B7D21}
AppName={#AppName}
AppVerName={#AppName} {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=Breach Desk
DefaultDirName={localappdata}\Programs\Breach Desk
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=BreachDesk-Setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\breach-desk.exe

[Languages]
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\..\dist\breach-desk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\breach-desk.exe"
Name: "{group}\{#AppName} (command line)"; Filename: "{cmd}"; Parameters: "/k ""{app}\incident-app.exe"" --help"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\breach-desk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\breach-desk.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; The databases, keys and logs live in the user's own folders (%LOCALAPPDATA%\breach-desk), not in
; {app}: uninstalling never deletes an officer's records.
