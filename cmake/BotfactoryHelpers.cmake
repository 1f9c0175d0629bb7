# Shared CMake helpers for BotFactory targets.

# botfactory_warnings(<target>): the project's warning set. An aggregate initialised with fewer
# values than it has fields is an error unless the fields left out have default member
# initialisers ({} or = value): every field's default is then stated where the struct is.
function(botfactory_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter
    -Werror=missing-field-initializers)
endfunction()

# botfactory_embed_migrations(<target> <schema> <dir>)
# Generates a translation unit that holds every <dir>/V<NNN>__<name>.sql file as a string and a
# function `const std::vector<botfactory::pg::Migration>& <schema>_migrations()` in namespace
# botfactory::migrations, then adds it to <target>. The SQL is embedded so a binary needs no
# files beside it at run time (containers, `migrate` subcommand).
function(botfactory_embed_migrations target schema dir)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/V*__*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${schema}_migrations.cpp)
  # A ";" would split the command: the script gets the list joined with "|" (quoted: VERBATIM).
  string(REPLACE ";" "|" files_arg "${sql_files}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DSCHEMA=${schema} -DOUT=${out} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake
    COMMENT "Embedding ${schema} migrations"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()

# botfactory_catch_test(<name> SOURCES ... LIBS ... [LABELS ...])
# A Catch2 test executable linked with the shared Catch2 main; registered with CTest.
function(botfactory_catch_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE botfactory::test_support ${T_LIBS})
  botfactory_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
