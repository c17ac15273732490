"""Pick the kinds of personal information involved, from the catalog grouped by category, with
sensitive personal information (PIPL Art. 28) marked, a filter box, and a running count."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from incident_app.domain.catalog import Catalog, DataType
from incident_app.domain.i18n import Translator
from incident_app.ui.common import ALERT_COLOR

IdRole = Qt.ItemDataRole.UserRole + 10


def group_label(group: str, tr: Translator) -> str:
    """The catalog group's name in the officer's language (the group id if none is known)."""
    key = f"wizard.group.{group}"
    text = tr.t(key)
    return group if text == key else text


class DataTypePicker(QWidget):
    changed = Signal()

    def __init__(self, tr: Translator) -> None:
        super().__init__()
        self.tr_ = tr
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(tr.t("wizard.data_types.filter"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([tr.t("wizard.data_types.name"), tr.t("wizard.data_types.sensitive")])
        # The names take the width the mark column leaves: no catalog name is cut to '…' at 1366×768.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setUniformRowHeights(True)
        self.tree.itemChanged.connect(self._on_tree_item_changed)
        self.count = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.count)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._catalog: Catalog | None = None
        self._update_count()
        self.setFocusProxy(self.tree)

    def set_catalog(self, catalog: Catalog, selected: Iterable[str] = ()) -> None:
        """Fill the tree: one branch per group in catalog order, sensitive types marked."""
        self._catalog = catalog
        wanted = set(selected) | set(self.selected_ids())
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for data_type in catalog.types:
            parent = groups.get(data_type.group)
            if parent is None:
                parent = QTreeWidgetItem(self.tree, [group_label(data_type.group, self.tr_), ""])
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                parent.setFont(0, _bold(parent.font(0)))
                groups[data_type.group] = parent
            self._items[data_type.id] = self._item(parent, data_type, data_type.id in wanted)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        self._update_count()

    def _item(self, parent: QTreeWidgetItem, data_type: DataType, checked: bool) -> QTreeWidgetItem:
        t = self.tr_.t
        mark = t("wizard.data_types.sensitive_yes") if data_type.sensitive else ""
        item = QTreeWidgetItem(parent, [data_type.name(self.tr_.lang), mark])
        item.setToolTip(0, data_type.name(self.tr_.lang))  # the whole name, should a narrow window cut it
        item.setData(0, IdRole, data_type.id)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
        item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        harm = data_type.harm_zh if self.tr_.lang.startswith("zh") else data_type.harm_en
        tip = t("wizard.data_types.tooltip", harm=harm, source=data_type.source)
        if data_type.sensitive:
            tip += "\n" + t("wizard.data_types.sensitive_basis", basis=data_type.sensitive_basis or "PIPL Art. 28")
            item.setForeground(1, QBrush(ALERT_COLOR))
            item.setFont(1, _bold(item.font(1)))
        item.setToolTip(0, tip)
        item.setToolTip(1, tip)
        return item

    def selected_ids(self) -> list[str]:
        return [i for i, item in self._items.items() if item.checkState(0) == Qt.CheckState.Checked]

    def set_selected(self, ids: Iterable[str]) -> None:
        wanted = set(ids)
        self.tree.blockSignals(True)
        for type_id, item in self._items.items():
            item.setCheckState(0, Qt.CheckState.Checked if type_id in wanted else Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)
        self._update_count()

    def _on_tree_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        self._update_count()
        self.changed.emit()

    def _on_filter_text_changed(self, text: str) -> None:
        needle = text.strip().lower()
        for group in self._groups():
            children = [c for c in (group.child(j) for j in range(group.childCount())) if c is not None]
            for child in children:
                child.setHidden(bool(needle) and needle not in child.text(0).lower())
            group.setHidden(all(c.isHidden() for c in children))

    def _groups(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _update_count(self) -> None:
        chosen = self._catalog.pick(self.selected_ids()) if self._catalog else ()
        sensitive = sum(1 for t in chosen if t.sensitive)
        self.count.setText(self.tr_.t("wizard.data_types.count", count=len(chosen), sensitive=sensitive))


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold
