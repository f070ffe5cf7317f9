//! Hand-written Latin spellings of the sample list's names, as a subject's documents would give
//! them.

/// Latin spellings a subject's documents might give for names the list writes otherwise (or
/// in another script): (entry id, spelling).
pub fn spellings() -> Vec<(&'static str, &'static str)> {
    vec![
        ("S-1", "Khaleel Ibraheem el-Masry"),
        ("S-2", "Yusuf Abdel Rahman Hadad"),
        ("S-3", "Tareq Nasir Al Qahtani"),
        ("S-4", "Mahmud Said Barakat"),
        ("S-5", "Faysal bin Hamad Aldosari"),
        ("S-6", "Umar Abdallah al-Rashidi"),
        ("S-7", "Husain Kamal Zahraan"),
        ("S-8", "Nabeel Fathy Shaukat"),
        ("S-11", "Dmitri Anatolievich Volkov"),
        ("S-12", "Iurii Konstantinovich Belov"),
        ("S-13", "Oleg Borisovitch Zaytsev"),
        ("S-14", "Tatyana Sergeevna Morozova"),
        ("S-15", "Alexander Viktorovich Grishin"),
        ("S-16", "Yevgeniy Petrovich Shcherbina"),
        ("S-17", "Mykola Ivanovich Kovalenko"),
        ("S-18", "Rajesh Kumar Malhotra"),
        ("S-19", "Suresh Chander Bhattacharjee"),
        ("S-20", "Anil Vishvanath Deshpande"),
        ("S-23", "Vikram Aditya Chaudhary"),
        ("S-33", "Volgotrans LLC"),
    ]
}
