extension SlotInfo {
    /// Whether this slot stands for the PC/SC reader named `readerName`.
    ///
    /// OpenSC's module makes one slot per reader (more when a card carries several applications) and copies the
    /// reader's name into the slot description as it is: "Virtual PCD 00 00" for vpcd's first reader (checked
    /// against OpenSC 0.23). The field holds 64 bytes, so a longer reader name arrives cut; a prefix match would
    /// confuse "Reader 1" with "Reader 10", so only that cut is accepted, not any prefix.
    public func describesReader(_ readerName: String) -> Bool {
        if description == readerName { return true }
        let limit = 64
        let name = Array(readerName.utf8)
        guard name.count > limit else { return false }
        let cut = String(decoding: name.prefix(limit), as: UTF8.self)
        // The cut may split a character or leave trailing blanks that the padding trim removed.
        return !description.isEmpty && cut.hasPrefix(description) && description.utf8.count >= limit - 4
    }
}
