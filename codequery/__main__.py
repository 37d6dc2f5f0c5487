from codequery.cli import main

main()
