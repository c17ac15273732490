"""Qt's own strings in the officer's language: the standard buttons (OK, Cancel, Yes, No, Save…),
file dialogs and context menus come from Qt's catalogs (``qtbase_zh_CN.qm``, shipped in the PySide6
wheel), not from ours. Without them the Chinese UI shows English buttons."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

_QT_LOCALES = {"zh-CN": "zh_CN"}
_installed: dict[int, QTranslator] = {}


def install_qt_translator(app: QCoreApplication, lang: str) -> bool:
    """Use Qt's catalog for ``lang`` (removing the previous one). English needs none. Returns
    whether a catalog is now installed."""
    old = _installed.pop(id(app), None)
    if old is not None:
        app.removeTranslator(old)
    locale = _QT_LOCALES.get(lang)
    if locale is None:
        return False
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(locale), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    _installed[id(app)] = translator
    return True
